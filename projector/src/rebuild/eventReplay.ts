import { AssertionFailure, kafkaRetry, type Logger } from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import { decodeEvents } from '../eventDecoder.ts';
import { projectEvents } from '../readModelProjection.ts';
import { writeReadModels } from '../readModelStore.ts';
import type { ReadModelTables } from '../readModelTables.ts';

/** Bytes one replay fetch brings per partition (the live projector's is 1 MiB). */
const replayFetchBytesPerPartitionMax = 4 * 1_048_576;
/** How long the broker holds a replay fetch for more data before answering. */
const replayFetchWaitMsMax = 250;

export interface EventReplayDeps {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly topic: string;
  readonly partitions: readonly number[];
  /** A group of its own, so nobody else's committed offsets or assignment interfere. */
  readonly groupId: string;
  readonly tables: ReadModelTables;
  readonly transactionEventsMax: number;
  readonly partitionsConcurrent: number;
  readonly logger: Logger;
}

/**
 * Reads `ledger.events` from offset 0 into a set of read-model tables, one partition batch per
 * transaction, up to targets the caller sets and moves: `runTo` resolves once every partition has
 * been applied up to its target (exclusive). A partition that reaches its target is paused
 * without resolving past it, so a later `runTo` with higher targets resumes exactly there.
 * The tables are only this replay's (a rebuild's fresh set): no offsets are stored with them, a
 * failed rebuild starts again from empty tables.
 */
export interface EventReplay {
  start(): Promise<void>;
  runTo(targets: ReadonlyMap<number, bigint>): Promise<void>;
  /** Next offset to apply, per partition. */
  consumed(): ReadonlyMap<number, bigint>;
  /** Events applied so far (duplicates included). */
  applied(): number;
  stop(): Promise<void>;
}

export function createEventReplay(deps: EventReplayDeps): EventReplay {
  const consumed = new Map(deps.partitions.map((partition) => [partition, 0n]));
  let targets = new Map<number, bigint>();
  let appliedEvents = 0;
  let waiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  let failure: unknown;
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    // A replay reads far more than it waits: bigger fetches, nothing to rebalance.
    maxBytesPerPartition: replayFetchBytesPerPartitionMax,
    maxWaitTimeInMs: replayFetchWaitMsMax,
    retry: kafkaRetry,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });

  const isDone = (partition: number) =>
    (consumed.get(partition) ?? 0n) >= (targets.get(partition) ?? 0n);

  function fail(error: unknown): void {
    failure ??= error;
    waiter?.reject(error);
    waiter = undefined;
  }

  function settleIfDone(): void {
    if (waiter !== undefined && deps.partitions.every(isDone)) {
      waiter.resolve();
      waiter = undefined;
    }
  }

  async function apply(partition: number, messages: readonly KafkaMessage[]): Promise<void> {
    const events = await decodeEvents(deps.serde, partition, messages);
    const client = await deps.pool.connect();
    try {
      await client.query('begin');
      await writeReadModels(client, deps.tables, projectEvents(events));
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    appliedEvents += events.length;
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    const pause = () => consumer.pause([{ topic: deps.topic, partitions: [partition] }]);
    const target = targets.get(partition) ?? 0n;
    const from = consumed.get(partition) ?? 0n;
    if (from >= target) return pause();
    const wanted = batch.messages.filter((message) => {
      const offset = BigInt(message.offset);
      return offset >= from && offset < target;
    });
    for (let start = 0; start < wanted.length; start += deps.transactionEventsMax) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = wanted.slice(start, start + deps.transactionEventsMax);
      const last = slice.at(-1);
      if (last === undefined) break;
      await apply(partition, slice);
      consumed.set(partition, BigInt(last.offset) + 1n);
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
    // Offsets without a message (control records) up to the target count as read.
    if (BigInt(batch.lastOffset()) + 1n >= target && (consumed.get(partition) ?? 0n) < target) {
      consumed.set(partition, target);
      payload.resolveOffset((target - 1n).toString());
    }
    if (isDone(partition)) {
      pause();
      settleIfDone();
    }
  }

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: deps.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: deps.partitionsConcurrent,
        eachBatch: async (payload) => {
          try {
            await eachBatch(payload);
          } catch (error) {
            // A broken event cannot be skipped in a rebuild either; other errors kafkajs retries.
            if (error instanceof AssertionFailure) fail(error);
            throw error;
          }
        },
      });
    },
    runTo(next) {
      if (failure !== undefined) return Promise.reject(asError(failure));
      targets = new Map(next);
      return new Promise<void>((resolve, reject) => {
        waiter = { resolve, reject };
        const behind = deps.partitions.filter((partition) => !isDone(partition));
        const done = deps.partitions.filter(isDone);
        if (done.length > 0) consumer.pause([{ topic: deps.topic, partitions: done }]);
        if (behind.length > 0) consumer.resume([{ topic: deps.topic, partitions: behind }]);
        settleIfDone();
      });
    },
    consumed: () => consumed,
    applied: () => appliedEvents,
    async stop() {
      await consumer.disconnect();
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        await admin.deleteGroups([deps.groupId]);
      } catch (error) {
        deps.logger.warn('could not delete the replay consumer group', {
          group: deps.groupId,
          error,
        });
      } finally {
        await admin.disconnect();
      }
    },
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
