import { randomUUID } from 'node:crypto';
import { createGroupConsumer, sessionTimeoutMsDefault } from '@ledger/runtime';
import { WireContractError, type LedgerSerde } from '@ledger/schemas';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { countViolation, type AuditMetrics } from './auditMetrics.ts';
import type { AuditLimits } from './auditLimits.ts';
import {
  checkEvent,
  createAuditState,
  findChainGap,
  findGap,
  finishAudit,
  type AuditState,
  type ChainAnchor,
  type CheckResult,
  type Violation,
} from './auditState.ts';
import { createFollowClock } from './followClock.ts';
import { createLogDigest } from './logDigest.ts';
import { summaryFormat, type AuditSummary } from './signedSummary.ts';

export interface AuditRunOptions {
  readonly kafka: Kafka;
  readonly serde: Pick<LedgerSerde, 'decodeEvent'>;
  readonly topic: string;
  readonly limits: AuditLimits;
  /** Follow the log live instead of stopping at the end offsets taken at start. */
  readonly follow: boolean;
  /** Chain heads an earlier signed summary recorded (`--anchor`): the log must still hold them. */
  readonly anchors?: ReadonlyMap<number, ChainAnchor>;
  /** Ends a follow run (see README.md: it drains legs in flight for at most gapWaitMs). */
  readonly stop?: AbortSignal;
  readonly metrics?: AuditMetrics;
  /** Progress lines (stderr), every progressIntervalMs once a run lasts that long. */
  readonly progress?: (line: string) => void;
  readonly progressIntervalMs?: number;
  readonly now?: () => number;
}

export type AuditRunResult =
  | { readonly outcome: 'passed'; readonly summary: AuditSummary; readonly state: AuditState }
  | { readonly outcome: 'violation'; readonly violation: Violation }
  | { readonly outcome: 'incomplete'; readonly reason: string };

const tickMs = 1_000;

/**
 * Reads the events topic from its first offsets with a consumer group of its own, new each run
 * (`auditor.<topic>.<uuid>`, no offsets committed, deleted at the end): kafkajs has no group-less
 * assign, and a fresh group with fromBeginning is exactly assign-all-and-seek-to-start, while a
 * fixed group would resume where a previous run committed instead of proving the whole log.
 * Feeds each event to the pure core and stops at the first violation.
 */
export async function runAudit(options: AuditRunOptions): Promise<AuditRunResult> {
  const { kafka, topic, limits, follow, metrics } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `auditor.${topic}.${randomUUID()}`;
  let consumer: Consumer | undefined;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const partitionCount = offsets.length;
    const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    const positions = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    for (const o of offsets) {
      if (o.low !== '0') {
        options.progress?.(
          `audit: partition ${o.partition} starts at offset ${o.low}: earlier events are gone ` +
            `(retention?), so their accounts' versions cannot be proven`,
        );
      }
    }
    const done = new Set<number>();
    const markDoneIfAtEnd = (partition: number) => {
      if (follow || done.has(partition)) return;
      if ((positions.get(partition) ?? 0n) >= (ends.get(partition) ?? 0n)) done.add(partition);
    };
    for (const o of offsets) markDoneIfAtEnd(o.partition);

    const state = createAuditState(limits, options.anchors);
    const digest = createLogDigest(partitionCount);
    let messagesRead = 0;
    let result: AuditRunResult | undefined;
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const end = (outcome: AuditRunResult) => {
      result ??= outcome;
      settle();
    };
    const onCheck = (checked: CheckResult): boolean => {
      if (checked.outcome === 'ok') return true;
      if (checked.outcome === 'violation') {
        if (metrics) countViolation(metrics, checked.violation.kind);
        end({ outcome: 'violation', violation: checked.violation });
      } else end({ outcome: 'incomplete', reason: `limit ${checked.limit}: ${checked.detail}` });
      return false;
    };

    const eachBatch = async (payload: EachBatchPayload) => {
      const { batch } = payload;
      const partition = batch.partition;
      for (const message of batch.messages) {
        if (result !== undefined || done.has(partition)) break;
        const offset = BigInt(message.offset);
        // Read already (a rejoin after a rebalance starts the fresh group from the beginning).
        if (offset < (positions.get(partition) ?? 0n)) continue;
        if (!follow && offset >= (ends.get(partition) ?? 0n)) break;
        const position = { topic, partition, offset: message.offset };
        const value = message.value ?? Buffer.alloc(0);
        digest.add(partition, message.offset, value);
        messagesRead += 1;
        let event;
        try {
          if (message.value === null)
            throw new WireContractError('malformed_message', undefined, 'null value');
          event = await options.serde.decodeEvent(message.value);
        } catch (error) {
          if (!(error instanceof WireContractError)) throw error; // registry down: not the log's fault
          onCheck({
            outcome: 'violation',
            violation: {
              kind: 'undecodable',
              event: { ...position, eventId: '?', eventType: 'undecodable' },
              expected: 'a LedgerEvent in the Confluent wire format with a registered schema',
              found: `${error.code}: ${error.message}`,
            },
          });
          break;
        }
        const duplicatesBefore = state.identicalDuplicates;
        if (!onCheck(checkEvent(state, { position, event, receivedAtMs: now() }))) break;
        if (metrics) {
          if (state.identicalDuplicates > duplicatesBefore) metrics.duplicates.inc();
          else metrics.eventsChecked.inc({ type: event.payload.type });
        }
        positions.set(partition, offset + 1n);
        markDoneIfAtEnd(partition);
      }
      if (done.has(partition)) payload.pause();
      if (!follow && done.size === partitionCount) end(finish());
    };

    const finish = (): AuditRunResult => {
      const finished = finishAudit(state);
      if (finished.outcome === 'violation') {
        if (metrics) countViolation(metrics, finished.violation.kind);
        return { outcome: 'violation', violation: finished.violation };
      }
      if (finished.outcome === 'limit') {
        return { outcome: 'incomplete', reason: `${finished.limit}: ${finished.detail}` };
      }
      const summary: AuditSummary = {
        format: summaryFormat,
        topic,
        mode: follow ? 'follow' : 'bounded',
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: new Date(now()).toISOString(),
        messagesRead,
        totals: finished.totals,
        chains: finished.chains,
        partitions: digest.partitions(),
        eventsSha256: digest.digest(),
      };
      return { outcome: 'passed', summary, state };
    };

    if (!follow && done.size === partitionCount) return finish();
    consumer = createGroupConsumer(kafka, {
      groupId,
      sessionTimeoutMs: sessionTimeoutMsDefault,
      onFatal: (error) =>
        end({ outcome: 'incomplete', reason: `Kafka consumer: ${String(error)}` }),
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) =>
        eachBatch(payload).catch((error: unknown) =>
          end({ outcome: 'incomplete', reason: `reading ${topic}: ${String(error)}` }),
        ),
    });

    const ticker = startTicker({
      options,
      admin,
      ends,
      positions,
      done,
      partitionCount,
      state,
      startedAt,
      messagesRead: () => messagesRead,
      check: onCheck,
      end,
      finish,
    });
    try {
      await settled;
    } finally {
      ticker.stop();
    }
    return result ?? { outcome: 'incomplete', reason: 'ended without a result' };
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    if (consumer !== undefined) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Once a second: lag, progress, and when following, overdue gaps and the end of a stop. */
function startTicker(context: {
  readonly options: AuditRunOptions;
  readonly admin: Admin;
  readonly ends: Map<number, bigint>;
  readonly positions: Map<number, bigint>;
  readonly done: Set<number>;
  readonly partitionCount: number;
  readonly state: AuditState;
  readonly startedAt: number;
  readonly messagesRead: () => number;
  readonly check: (result: CheckResult) => boolean;
  readonly end: (result: AuditRunResult) => void;
  readonly finish: () => AuditRunResult;
}): { stop(): void } {
  const { options, admin, ends, positions, state } = context;
  const now = options.now ?? Date.now;
  const clock = createFollowClock();
  const progressIntervalMs = options.progressIntervalMs ?? 5_000;
  let lastProgressAt = context.startedAt;
  let lastProgressCount = 0;
  let stoppedAt: number | undefined;
  let busy = false;
  const tick = async () => {
    const at = now();
    if (options.follow) {
      for (const o of await admin.fetchTopicOffsets(options.topic)) {
        ends.set(o.partition, BigInt(o.high));
      }
      clock.record(at, ends);
      const caughtUpAt = clock.update(positions);
      const waitedSince = caughtUpAt - options.limits.gapWaitMs;
      const gap = findGap(state, waitedSince) ?? findChainGap(state, waitedSince);
      if (gap !== undefined && !context.check(gap)) return;
      if (options.stop?.aborted) {
        stoppedAt ??= at;
        if (state.pendingLegs === 0 && state.heldLinks === 0) return context.end(context.finish());
        if (at - stoppedAt >= options.limits.gapWaitMs) {
          const stale = findGap(state, stoppedAt) ?? findChainGap(state, stoppedAt);
          if (stale !== undefined && !context.check(stale)) return;
          return context.end({
            outcome: 'incomplete',
            reason: `stopped with ${state.pendingLegs} legs and ${state.heldLinks} chain links in flight after ${options.limits.gapWaitMs} ms`,
          });
        }
      }
    }
    let lag = 0n;
    for (const [partition, endOffset] of ends) {
      const behind = endOffset - (positions.get(partition) ?? 0n);
      const shown = behind > 0n ? behind : 0n;
      lag += shown;
      options.metrics?.lag.set({ partition: String(partition) }, Number(shown));
    }
    options.metrics?.pendingLegs.set(state.pendingLegs);
    if (options.progress !== undefined && at - lastProgressAt >= progressIntervalMs) {
      const read = context.messagesRead();
      const rate = Math.round(((read - lastProgressCount) * 1000) / (at - lastProgressAt));
      const doneText = options.follow
        ? 'following'
        : `partitions done ${context.done.size}/${context.partitionCount}`;
      options.progress(
        `audit: ${read} events (${rate}/s), ${doneText}, lag ${lag}, legs waiting ${state.pendingLegs}`,
      );
      lastProgressAt = at;
      lastProgressCount = read;
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((error: unknown) => options.progress?.(`audit: tick failed: ${String(error)}`))
      .finally(() => (busy = false));
  }, tickMs);
  return { stop: () => clearInterval(timer) };
}
