import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import type { Message } from 'kafkajs';
import { assert, type Logger } from '@ledger/runtime';
import {
  requestHashOf,
  type LedgerCommand,
  type LedgerSerde,
  type SettlePending,
} from '@ledger/schemas';

/**
 * Expires pending transfers whose deadline passed, through the log (docs/architecture.md,
 * "Pending transfers"): it reads the head of `pending_expiries` (the unsettled pending transfers
 * with a deadline) and appends one `SettlePending { action: 'expire', asOf }` per due transfer to
 * `ledger.commands`, keyed by its fromAccountId like every command about it. The partition's
 * processor then decides the expiry like any settlement, in order with the posts and voids that
 * clients sent, so exactly one of them wins, and a replay of the log decides the same: the
 * deadline is compared with the `asOf` written into the command, never with a clock read by the
 * decider.
 *
 * The command id is derived from the transfer id, so sending one twice (a second sweep before the
 * first was decided, another processor instance sweeping too) is a redelivery the batch decider
 * recognises and answers with the first outcome, writing nothing. A transfer sent recently is
 * not sent again for `resendAfterMs` unless the sweep restarts.
 *
 * Housekeeping like the outbox pruner: a failed round is logged and retried at the next interval.
 */
export interface ExpirySweep {
  /** One round now; resolves to the number of expiries sent. */
  sweepOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Due transfers one round reads and sends at most; the next round continues. */
export const expirySweepBatchMax = 1_000;
export const expirySweepIntervalMsDefault = 1_000;
export const expirySweepIntervalMsMax = 60_000;
/** A transfer sent for expiry is not sent again for this long (its expiry is on its way). */
export const expiryResendAfterMs = 30_000;
/**
 * Transfers remembered as sent: past this many the oldest are forgotten (at worst resent: a
 * redelivery). Rounds send at most expirySweepBatchMax each, so the age bound alone keeps it
 * near this size at the shortest interval; this makes the bound explicit.
 */
export const expiryRecentlySentMax = 50_000;

export interface ExpirySweepDeps {
  readonly pool: Pick<pg.Pool, 'query'>;
  readonly send: (topic: string, messages: Message[]) => Promise<unknown>;
  readonly serde: Pick<LedgerSerde, 'encodeCommand'>;
  readonly commandsTopic: string;
  readonly logger: Logger;
  readonly now: () => number;
  readonly intervalMs: number;
  readonly sent: Counter;
}

interface DueRow {
  transfer_id: string;
  from_account_id: string;
  to_account_id: string;
}

/** The command that expires `transferId` as of `asOf`: same transfer, same command id. */
export function expiryCommand(due: DueRow, asOf: number): LedgerCommand<SettlePending> {
  const payload: SettlePending = {
    type: 'SettlePending',
    transferId: due.transfer_id,
    fromAccountId: due.from_account_id,
    toAccountId: due.to_account_id,
    action: 'expire',
    asOf,
  };
  return {
    commandId: `expire-${createHash('sha256').update(due.transfer_id).digest('hex').slice(0, 40)}`,
    idempotencyKey: due.transfer_id,
    requestHash: requestHashOf(payload),
    receivedAt: asOf,
    traceparent: null,
    payload,
  };
}

export function createExpirySweep(deps: ExpirySweepDeps): ExpirySweep {
  assert(
    Number.isInteger(deps.intervalMs) &&
      deps.intervalMs >= 1 &&
      deps.intervalMs <= expirySweepIntervalMsMax,
    `expiry sweep interval ${deps.intervalMs} ms is outside [1, ${expirySweepIntervalMsMax}]`,
  );
  /** transferId → when it was sent, oldest first: bounded by age and by expiryRecentlySentMax. */
  const recentlySent = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function sweepOnce(): Promise<number> {
    const asOf = deps.now();
    for (const [transferId, sentAt] of recentlySent) {
      if (asOf - sentAt >= expiryResendAfterMs) recentlySent.delete(transferId);
    }
    const { rows } = await deps.pool.query<DueRow>(
      `select transfer_id, from_account_id, to_account_id
         from pending_expiries
        where expires_at <= $1
        order by expires_at, transfer_id
        limit $2`,
      [new Date(asOf).toISOString(), expirySweepBatchMax + recentlySent.size],
    );
    const due = rows.filter((row) => !recentlySent.has(row.transfer_id));
    const batch = due.slice(0, expirySweepBatchMax);
    if (batch.length === 0) return 0;
    const messages = batch.map((row) => ({
      key: row.from_account_id,
      value: deps.serde.encodeCommand(expiryCommand(row, asOf)),
    }));
    await deps.send(deps.commandsTopic, messages);
    for (const row of batch) recentlySent.set(row.transfer_id, asOf);
    for (const transferId of recentlySent.keys()) {
      if (recentlySent.size <= expiryRecentlySentMax) break;
      recentlySent.delete(transferId);
    }
    deps.sent.inc(batch.length);
    deps.logger.info('sent expiries of pending transfers', { transfers: batch.length });
    return batch.length;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce()
        .catch((error: unknown) => deps.logger.warn('expiry sweep failed', { error }))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  return {
    sweepOnce,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
