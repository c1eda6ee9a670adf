import { requestJson } from '../load/httpJson.ts';
import type { AccountSet } from '../load/workload.ts';
import { sleep } from '../stack/stackSession.ts';
import type { BenchContext } from './benchContext.ts';
import { runBatchTransfers, type BatchRun } from './batchThroughput.ts';
import { queryApiServesBalances } from './queryApiProbe.ts';

/**
 * Command accepted → visible in query-api's cache, at half of the measured maximum throughput.
 * Background: batch transfers at half the rate the sustained run reached. Probe: one transfer at
 * a time into a probe account whose version the bench knows; when the 202 arrives, a read with
 * `?minVersion=` (the contract's read-your-writes) returns as soon as the cache holds the new version,
 * so the time from 202 to that answer is the latency (one GET round trip over, never under).
 */
export interface VisibilityResult {
  readonly notMeasured: string | undefined;
  readonly samplesMs: readonly number[];
  /** Probes whose read timed out (504) or failed. */
  readonly missed: number;
  readonly targetPerSecond: number;
  readonly background: BatchRun | undefined;
}

const probeWaitMs = 5_000;
const probeGapMs = 100;
const probeAccounts = 4;
/** Smaller batches than the sustained run, so the background rate is smooth at a few per second. */
const backgroundItems = 100;

export async function runVisibility(
  context: BenchContext,
  set: AccountSet,
  maxAppliedPerSecond: number | undefined,
): Promise<VisibilityResult> {
  const queryApi = context.stack.urls['query-api'];
  const commandApi = context.stack.urls['command-api'];
  const notReady = await queryApiServesBalances(queryApi, set.accountId(0));
  const targetPerSecond = Math.max(1, Math.round((maxAppliedPerSecond ?? 0) / 2));
  if (notReady !== undefined || maxAppliedPerSecond === undefined) {
    const why =
      notReady ?? 'the sustained run did not drain, so there is no max throughput to halve';
    console.log(`  accepted → visible not measured yet: ${why}`);
    return { notMeasured: why, samplesMs: [], missed: 0, targetPerSecond, background: undefined };
  }
  const samplesMs: number[] = [];
  let missed = 0;
  let probing = true;
  // Several probe accounts at once: each probe waits for its own read, so one would give only a
  // handful of samples on a slow machine.
  const probe = async (probeId: string) => {
    const opened = await requestJson(
      'POST',
      `${commandApi}/v1/accounts`,
      JSON.stringify({ accountId: probeId, currency: 'USD' }),
      {
        prefer: 'wait=30',
      },
    );
    if (opened.status !== 201) throw new Error(`probe account ${probeId}: HTTP ${opened.status}`);
    let version = 1;
    for (let index = 0; probing; index += 1) {
      const accepted = await requestJson(
        'POST',
        `${commandApi}/v1/transfers`,
        JSON.stringify({
          transferId: `${probeId}-${index}`,
          fromAccountId: set.fundingId,
          toAccountId: probeId,
          amount: '1',
          currency: 'USD',
        }),
      );
      if (accepted.status !== 202) {
        // A 429/503 comes back at once: without the gap, four probes would flood the command API.
        missed += 1;
        await sleep(probeGapMs);
        continue;
      }
      const acceptedAtMs = performance.now();
      version += 1;
      const seen = await requestJson(
        'GET',
        `${queryApi}/v1/accounts/${probeId}/balance?minVersion=${version}&waitMs=${probeWaitMs}`,
      );
      if (seen.status === 200) samplesMs.push(performance.now() - acceptedAtMs);
      else missed += 1;
      await sleep(probeGapMs);
    }
  };
  const probing$ = Promise.all(
    Array.from({ length: probeAccounts }, (_, index) =>
      probe(`bench-probe-${context.runTag}-${index}`),
    ),
  );
  const background = await runBatchTransfers(context, {
    name: `visibility: background at ${targetPerSecond}/s`,
    tagSuffix: 'v',
    set,
    distribution: 'uniform',
    seconds: context.profile.visibilitySeconds,
    itemsPerRequest: backgroundItems,
    requestRate: Math.max(1, Math.round(targetPerSecond / backgroundItems)),
  }).finally(() => (probing = false));
  await probing$;
  return { notMeasured: undefined, samplesMs, missed, targetPerSecond, background };
}
