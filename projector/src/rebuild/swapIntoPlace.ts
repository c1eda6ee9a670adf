import { assert, type Logger } from '@ledger/runtime';
import type pg from 'pg';
import { projectorOffsets, replaceOffsets } from '../offsetStore.ts';
import { liveTables, rebuildTables } from '../readModelTables.ts';
import { closeGateForSwap } from '../rebuildGate.ts';
import type { EventReplay } from './eventReplay.ts';
import { accountsBehindLive, swapTables } from './rebuildTables.ts';

export interface SwapLimits {
  /** Rounds of catching up with the live projector before the gate closes. */
  readonly catchUpRoundsMax: number;
  /** Events the rebuild may still be behind the live projector when it closes the gate: what
   * the live projector waits for. */
  readonly swapGapEventsMax: bigint;
  /** How long the swap waits for a table lock (a long reader query) before trying again. */
  readonly swapLockTimeoutMs: number;
  readonly swapAttemptsMax: number;
}

export const defaultSwapLimits: SwapLimits = {
  catchUpRoundsMax: 10,
  swapGapEventsMax: 10_000n,
  swapLockTimeoutMs: 5_000,
  swapAttemptsMax: 5,
};

export interface SwapDeps {
  readonly pool: pg.Pool;
  readonly replay: EventReplay;
  readonly consumerGroup: string;
  readonly topic: string;
  readonly logger: Logger;
  readonly limits?: Partial<SwapLimits> | undefined;
  readonly onPhase: (phase: 'catch-up' | 'swap', targets: ReadonlyMap<number, bigint>) => void;
}

/**
 * Puts the rebuilt tables in place while the live projector keeps running:
 * 1. Catch up, gate open: while the live projector is more than `swapGapEventsMax` events ahead
 *    (it kept consuming during the replay), replay up to its stored offsets.
 * 2. One transaction: close the gate (advisory lock taken exclusive; live batches in flight
 *    finish first, new ones wait), replay the small rest up to max(live, rebuilt) per partition,
 *    check the rebuilt model is nowhere behind the live one, swap the tables, set the live group's stored offsets to what the rebuild
 *    consumed, commit. The live projector's next batch writes into the new tables; where its
 *    Kafka position is behind the new stored offset it skips and seeks forward.
 * A table lock that does not come within `swapLockTimeoutMs` (a long-running reader) aborts the
 * attempt, which is retried: readers never queue behind a swap for long.
 */
export async function swapIntoPlace(deps: SwapDeps): Promise<void> {
  const limits = { ...defaultSwapLimits, ...deps.limits };
  const { replay, pool, logger } = deps;
  for (let round = 0; round < limits.catchUpRoundsMax; round += 1) {
    const live = await projectorOffsets.stored(pool, deps.consumerGroup, deps.topic);
    if (gapOf(replay.consumed(), live) <= limits.swapGapEventsMax) break;
    const targets = furthest(replay.consumed(), live);
    deps.onPhase('catch-up', targets);
    await replay.runTo(targets);
  }
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('lock_timeout', $1, true)`, [
        `${limits.swapLockTimeoutMs}ms`,
      ]);
      await closeGateForSwap(client);
      const live = await projectorOffsets.stored(client, deps.consumerGroup, deps.topic);
      const targets = furthest(replay.consumed(), live);
      deps.onPhase('swap', targets);
      await replay.runTo(targets);
      const behind = await accountsBehindLive(client, liveTables, rebuildTables);
      assert(behind === 0, `rebuilt model is behind the live one on ${behind} accounts`);
      await swapTables(client, liveTables, rebuildTables);
      await replaceOffsets(client, deps.consumerGroup, deps.topic, replay.consumed());
      await client.query('commit');
      logger.info('rebuilt read models swapped in', { attempt });
      return;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      const lockTimeout = (error as { code?: unknown } | null)?.code === '55P03';
      if (!lockTimeout || attempt >= limits.swapAttemptsMax) throw error;
      logger.warn('swap waited too long for a lock: trying again', { attempt });
    } finally {
      client.release();
    }
  }
}

/** Per partition, the further of the two positions. */
function furthest(
  rebuilt: ReadonlyMap<number, bigint>,
  live: ReadonlyMap<number, bigint>,
): Map<number, bigint> {
  const targets = new Map(rebuilt);
  for (const [partition, offset] of live) {
    if (offset > (targets.get(partition) ?? 0n)) targets.set(partition, offset);
  }
  return targets;
}

/** How many events the live projector has applied that the rebuild has not. */
function gapOf(rebuilt: ReadonlyMap<number, bigint>, live: ReadonlyMap<number, bigint>): bigint {
  let gap = 0n;
  for (const [partition, offset] of live) {
    const behind = offset - (rebuilt.get(partition) ?? 0n);
    if (behind > 0n) gap += behind;
  }
  return gap;
}
