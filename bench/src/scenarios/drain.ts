import { unpublishedOutboxCount } from '@ledger/ledger-processor/outboxPosition';
import { drainTimeoutMs } from '../benchProfile.ts';
import { fetchMetrics, metricSum } from '../metrics/promText.ts';
import { sleep } from '../stack/stackSession.ts';
import type { BenchContext } from './benchContext.ts';

/**
 * Waits until the ledger decided every transfer of a tagged scenario (its rows in `transfers`,
 * found by id range on the C-collated primary key) and the outbox has nothing left to publish:
 * "applied end to end" in the performance targets' sense. Returns when that happened, or undefined on timeout.
 */
export async function waitApplied(
  context: BenchContext,
  tag: string,
  expected: number,
): Promise<{ appliedAtMs: number | undefined; decided: number }> {
  // A big backlog on a slow machine is still a result, not a hang: wait for it down to 200/s.
  const deadline = Date.now() + Math.max(drainTimeoutMs, expected * drainMsPerCommandMax);
  let lastPrintMs = 0;
  for (;;) {
    const { decided, unsent } = await drainProgress(context, tag);
    if (decided >= expected && unsent === 0) return { appliedAtMs: Date.now(), decided };
    if (Date.now() > deadline) return { appliedAtMs: undefined, decided };
    if (Date.now() - lastPrintMs > 5_000) {
      console.log(`    draining ${tag}: decided ${decided}/${expected}, outbox unsent ${unsent}`);
      lastPrintMs = Date.now();
    }
    await sleep(250);
  }
}

/** Below 200 decided per second the drain is called stuck. */
const drainMsPerCommandMax = 5;

// '.' follows '-' in byte order: [tag-, tag.) is exactly the ids starting with `tag-`.
const decidedWithTagSql =
  'select count(*) from transfers where transfer_id >= $1 and transfer_id < $2';

export async function decidedWithTag(context: BenchContext, tag: string): Promise<number> {
  const result = await context.ledgerPool.query<{ n: string }>(
    `select (${decidedWithTagSql})::text as n`,
    [`${tag}-`, `${tag}.`],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Both drain conditions, read side by side: the poll runs 4×/s while the system is measured. */
async function drainProgress(
  context: BenchContext,
  tag: string,
): Promise<{ decided: number; unsent: number }> {
  const [decided, unsent] = await Promise.all([
    decidedWithTag(context, tag),
    unpublishedOutboxCount(context.ledgerPool),
  ]);
  return { decided, unsent };
}

/** Lag the processor may have when measuring starts: a few batches, not someone's backlog. */
const startLagMax = 2_000;
const startLagWaitMs = 15 * 60_000;

/**
 * Before measuring: wait until the processor has caught up with what is already in Kafka (an
 * interrupted earlier run, someone's test). Otherwise the first scenarios would measure that
 * backlog's drain instead of their own load.
 */
export async function waitForCaughtUp(context: BenchContext): Promise<void> {
  const deadline = Date.now() + startLagWaitMs;
  let lastPrintMs = 0;
  for (;;) {
    const samples = await fetchMetrics(context.stack.urls['command-api']);
    const lag = samples && metricSum(samples, 'command_api_processor_consumer_lag_messages');
    if (lag === undefined) {
      console.log(
        '  command API reports no consumer lag: not waiting for the processor to catch up',
      );
      return;
    }
    if (lag <= startLagMax) return;
    if (Date.now() > deadline)
      throw new Error(`the processor is still ${lag} commands behind after ${startLagWaitMs} ms`);
    if (Date.now() - lastPrintMs > 5_000) {
      console.log(
        `  the processor is ${lag} commands behind (left from before this run): waiting for it`,
      );
      lastPrintMs = Date.now();
    }
    await sleep(1_000);
  }
}
