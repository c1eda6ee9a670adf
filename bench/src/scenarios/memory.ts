import { readFile } from 'node:fs/promises';
import { forEachConcurrently, requestJson } from '../load/httpJson.ts';
import type { AccountSet } from '../load/workload.ts';
import { fetchMetrics, metricSum } from '../metrics/promText.ts';
import type { BenchContext } from './benchContext.ts';
import { queryApiServesBalances } from './queryApiProbe.ts';

/**
 * query-api's resident memory once it holds `count` cached balances (DESIGN.md: 1M in < 512 MB).
 * Loads them by reading each account once, then reads RSS from its /metrics (prom-client's
 * process_resident_memory_bytes) or, failing that, /proc/<pid>/status.
 */
export interface MemoryResult {
  readonly notMeasured: string | undefined;
  readonly cachedAccounts: number;
  readonly rssBytesBefore: number | undefined;
  readonly rssBytes: number | undefined;
}

const loadConcurrency = 32;

export async function runMemory(
  context: BenchContext,
  set: AccountSet,
  count: number,
): Promise<MemoryResult> {
  const queryApi = context.stack.urls['query-api'];
  const notReady = await queryApiServesBalances(queryApi, set.accountId(0));
  if (notReady !== undefined) {
    console.log(`  query-api RSS not measured yet: ${notReady}`);
    return {
      notMeasured: notReady,
      cachedAccounts: 0,
      rssBytesBefore: undefined,
      rssBytes: undefined,
    };
  }
  const cachedAccounts = Math.min(count, set.size);
  const rssBytesBefore = await queryApiRss(context);
  const end = context.timeline.phase(`memory: loading ${cachedAccounts} balances into query-api`);
  let done = 0;
  const progress = setInterval(
    () => console.log(`    memory: ${done}/${cachedAccounts} balances read`),
    5_000,
  );
  try {
    await forEachConcurrently(cachedAccounts, loadConcurrency, async (index) => {
      await requestJson('GET', `${queryApi}/v1/accounts/${set.accountId(index)}/balance`);
      done += 1;
    });
  } finally {
    clearInterval(progress);
    end();
  }
  const rssBytes = await queryApiRss(context);
  console.log(
    `  query-api RSS with ${cachedAccounts} cached balances: ${mib(rssBytes)} (before: ${mib(rssBytesBefore)})`,
  );
  return { notMeasured: undefined, cachedAccounts, rssBytesBefore, rssBytes };
}

async function queryApiRss(context: BenchContext): Promise<number | undefined> {
  const metrics = await fetchMetrics(context.stack.urls['query-api']);
  const fromMetrics = metrics && metricSum(metrics, 'process_resident_memory_bytes');
  if (fromMetrics !== undefined) return fromMetrics;
  const pid = context.stack.pids['query-api'];
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1_024;
}

export const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'unknown' : `${(bytes / 1_048_576).toFixed(0)} MiB`;
