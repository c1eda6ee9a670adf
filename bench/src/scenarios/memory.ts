import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachConcurrently, requestJson } from '../load/httpJson.ts';
import { wrkAvailable } from '../load/wrkRun.ts';
import { fetchMetrics, metricSum } from '../metrics/promText.ts';
import { startChild, tsxArgs, type Child } from '../stack/childProcess.ts';
import type { BenchContext } from './benchContext.ts';

/**
 * query-api's resident memory once it holds `count` cached balances (the target: 1M in < 512 MB).
 *
 * Seeding a million accounts through the ledger takes hours on this machine (every open and
 * funding is a command the processor decides), and the cache only ever reads the projector's
 * `account_view`. So this scenario runs its own query-api process (the same main.ts, the same
 * change feed on the stack's Kafka, default cache limits) over a schema of its own whose
 * `account_view` has the ledger's table definition and `count` rows written by the bench in one
 * statement (seconds for a million). It then reads every one of them once over HTTP, so each is
 * a real miss → Postgres → cached entry, checks the cache holds them all, and reads RSS
 * (`process_resident_memory_bytes`) from that process's /metrics. The schema and the process
 * are removed afterwards. What this does not show: memory of the stack's own query-api after a
 * long mixed run.
 */
export interface MemoryResult {
  readonly notMeasured: string | undefined;
  readonly cachedAccounts: number;
  readonly rssBytesBefore: number | undefined;
  readonly rssBytes: number | undefined;
  readonly heapUsedBytes?: number | undefined;
}

/** Reads in flight while filling; misses queue on the instance's Postgres pool anyway. */
const loadConcurrency = 64;
const memorySchema = 'bench_memory';
const startTimeoutMs = 120_000;
const stopGraceMs = 30_000;
/** wrk's bound; it is stopped as soon as the cache is full. */
const fillSecondsMax = 900;
const fillPollMs = 5_000;

export async function runMemory(context: BenchContext, count: number): Promise<MemoryResult> {
  const pool = context.ledgerPool;
  const prefix = `bench-mem${count}-`;
  await pool.query(`drop schema if exists ${memorySchema} cascade`);
  await pool.query(`create schema ${memorySchema}`);
  let child: Child | undefined;
  try {
    const endSeed = context.timeline.phase(`memory: ${count} rows into ${memorySchema}`);
    await pool.query(
      `create table ${memorySchema}.account_view
         (like ${context.ledgerSchema}.account_view including all)`,
    );
    await pool.query(
      `insert into ${memorySchema}.account_view (account_id, currency, overdraft_limit, status,
         balance, version, metadata, created_at, updated_at)
       select $1 || i, 'USD', 0, 'open', 1000000000, 2, '{}'::jsonb,
              now() - i * interval '1 millisecond', now()
         from generate_series(0, $2::int - 1) as i`,
      [prefix, count],
    );
    endSeed();
    child = startChild({
      name: 'query-api (memory)',
      command: process.execPath,
      args: tsxArgs('query-api/src/main.ts'),
      cwd: context.repoRoot,
      env: {
        ...process.env,
        LEDGER_QUERY_API_PORT: '0',
        LEDGER_QUERY_API_HOST: '127.0.0.1',
        LEDGER_PG_SCHEMA: memorySchema,
        LEDGER_QUERY_API_INSTANCE_ID: `bench-memory-${context.runTag}`,
        LEDGER_LOG_LEVEL: 'info',
      },
      logFile: join(context.logsDir, 'query-api-memory.log'),
    });
    const line = await child.waitForLine((text) => text.includes('"listening"'), startTimeoutMs);
    const port = (JSON.parse(line) as { port?: number }).port;
    const url = `http://127.0.0.1:${port ?? 0}`;
    const rssBytesBefore = await rssOf(url);
    if (wrkAvailable()) await fillWithWrk(context, url, prefix, count);
    else await fill(context, url, prefix, count);
    const metrics = await fetchMetrics(url);
    const cachedAccounts = (metrics && metricSum(metrics, 'query_api_cache_entries')) ?? 0;
    const rssBytes = metrics && metricSum(metrics, 'process_resident_memory_bytes');
    const heapUsedBytes = metrics && metricSum(metrics, 'nodejs_heap_size_used_bytes');
    console.log(
      `  query-api RSS with ${cachedAccounts} cached balances: ${mib(rssBytes)} ` +
        `(heap used ${mib(heapUsedBytes)}; before filling: ${mib(rssBytesBefore)})`,
    );
    if (cachedAccounts < count) {
      return {
        notMeasured: `the cache held ${cachedAccounts} of ${count} accounts after reading them all`,
        cachedAccounts,
        rssBytesBefore,
        rssBytes,
        heapUsedBytes,
      };
    }
    return { notMeasured: undefined, cachedAccounts, rssBytesBefore, rssBytes, heapUsedBytes };
  } finally {
    await child?.stop('SIGTERM', stopGraceMs);
    await pool.query(`drop schema if exists ${memorySchema} cascade`);
  }
}

/** Each account read once: a miss that loads the row and caches it. */
async function fill(context: BenchContext, url: string, prefix: string, count: number) {
  const end = context.timeline.phase(`memory: reading ${count} balances through query-api`);
  let done = 0;
  let failed = 0;
  const progress = setInterval(
    () => console.log(`    memory: ${done}/${count} balances read`),
    10_000,
  );
  try {
    await forEachConcurrently(count, loadConcurrency, async (index) => {
      const response = await requestJson('GET', `${url}/v1/accounts/${prefix}${index}/balance`);
      if (response.status !== 200) failed += 1;
      done += 1;
    });
  } finally {
    clearInterval(progress);
    end();
  }
  if (failed > 0) console.log(`    memory: ${failed} reads were not 200`);
}

/**
 * The same reads through wrk (a Node client tops out at ~1-3k reads/s here, 6+ minutes for a
 * million): each request asks for the next account in order, and wrk is stopped once the cache
 * holds them all (or when it stops growing).
 */
async function fillWithWrk(context: BenchContext, url: string, prefix: string, count: number) {
  const end = context.timeline.phase(`memory: reading ${count} balances through query-api (wrk)`);
  const script = join(context.logsDir, 'memory-fill.lua');
  await writeFile(
    script,
    [
      `local n, i = ${count}, 0`,
      'request = function()',
      `  local path = "/v1/accounts/${prefix}" .. (i % n) .. "/balance"`,
      '  i = i + 1',
      '  return wrk.format("GET", path)',
      'end',
      '',
    ].join('\n'),
  );
  const wrk = spawn(
    'wrk',
    ['-t1', `-c${loadConcurrency}`, `-d${fillSecondsMax}s`, '-s', script, url],
    {
      stdio: 'ignore',
    },
  );
  try {
    let cached = -1;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, fillPollMs));
      const metrics = await fetchMetrics(url);
      const now = (metrics && metricSum(metrics, 'query_api_cache_entries')) ?? 0;
      console.log(`    memory: ${now}/${count} balances cached`);
      if (now >= count || now === cached || wrk.exitCode !== null) break;
      cached = now;
    }
  } finally {
    wrk.kill('SIGINT');
    end();
  }
}

async function rssOf(url: string): Promise<number | undefined> {
  const metrics = await fetchMetrics(url);
  return metrics && metricSum(metrics, 'process_resident_memory_bytes');
}

export const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'unknown' : `${(bytes / 1_048_576).toFixed(0)} MiB`;
