import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { createGroupConsumer, whileHeartbeating } from './kafkaClient.ts';
import { AssertionFailure } from './assert.ts';
import type { Logger } from './logger.ts';
import { assertStoredOffsetInLog, type OffsetTableName } from './offsetTable.ts';

/** Partitions a member works on at once; each may hold a Postgres connection while it works. */
export const partitionsConcurrentMax = 32;

/**
 * What applying one slice of a partition's batch found, by the offset of record in Postgres:
 * `next` the offset after what is now applied (normally one past the slice; further when another
 * member had applied more), `seek` when Kafka's position and the stored offset disagree so the
 * partition must be read again from `nextOffset` (a crash between the Postgres commit and
 * Kafka's, a rebuild that moved the stored offset).
 */
export type SliceResult =
  | { readonly kind: 'next'; readonly nextOffset: bigint }
  | { readonly kind: 'seek'; readonly nextOffset: bigint };

export interface PartitionConsumerOptions {
  readonly kafka: Kafka;
  /** The service's connected admin client: the log's end when a stored offset lies past a batch. */
  readonly admin: Pick<Admin, 'fetchTopicOffsets'>;
  readonly groupId: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  /** Partitions whose batches run at once (≤ partitionsConcurrentMax). */
  readonly partitionsConcurrent: number;
  /** Messages one slice (one transaction) may carry. */
  readonly sliceMessagesMax: number;
  /** Where the offset of record lives, named in the assertion when it lies past the log. */
  readonly offsetTable: OffsetTableName;
  readonly logger: Logger;
  /** Applies one slice in one transaction, with the stored offset compared and advanced. */
  readonly applySlice: (partition: number, messages: KafkaMessage[]) => Promise<SliceResult>;
  /** Awaited before a batch's first slice (the processor drains what a former owner left). */
  readonly beforeBatch?: (partition: number) => Promise<void>;
  /** Awaited before each slice (the processor waits for its outbox relay to keep up). */
  readonly beforeSlice?: () => Promise<void>;
  /** Errors that must not be retried in-process besides AssertionFailure (a dead relay). */
  readonly isFatal?: (error: unknown) => boolean;
  /** Called on a state that must not be retried in-process; the process restarts. */
  readonly onFatal: (error: unknown) => void;
}

export interface PartitionConsumer {
  readonly consumer: Consumer;
  start(): Promise<void>;
  /** Finishes or abandons the in-flight slice (never half-applied), then disconnects. */
  stop(): Promise<void>;
}

/**
 * The one loop of a consumer group whose members store their offsets in Postgres, with the rows
 * they cover (the ledger processor on commands, the projector on events): each batch is cut into
 * slices, each applied in one transaction by `applySlice`, which compares and advances the stored
 * offset. Kafka's offsets are resolved after that and committed for lag monitoring and
 * autoscalers only. A batch that waits (Postgres, a drain, the relay) heartbeats meanwhile so the
 * member keeps its partitions; a batch revoked meanwhile stops at the next slice.
 */
export function createPartitionConsumer(options: PartitionConsumerOptions): PartitionConsumer {
  const { logger } = options;
  if (
    !Number.isInteger(options.partitionsConcurrent) ||
    options.partitionsConcurrent < 1 ||
    options.partitionsConcurrent > partitionsConcurrentMax
  ) {
    throw new Error(`partitionsConcurrent must be in [1, ${partitionsConcurrentMax}]`);
  }
  if (!Number.isInteger(options.sliceMessagesMax) || options.sliceMessagesMax < 1) {
    throw new Error('sliceMessagesMax must be a positive integer');
  }
  const consumer = createGroupConsumer(options.kafka, {
    groupId: options.groupId,
    sessionTimeoutMs: options.sessionTimeoutMs,
    onFatal: options.onFatal,
  });

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await options.beforeBatch?.(batch.partition);
    for (let start = 0; start < batch.messages.length; start += options.sliceMessagesMax) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, start + options.sliceMessagesMax);
      const last = slice.at(-1);
      if (last === undefined) return;
      await options.beforeSlice?.();
      const result = await options.applySlice(batch.partition, slice);
      if (result.nextOffset !== BigInt(last.offset) + 1n) {
        // An offset applied already may lie past this slice, never past the log's end.
        await assertStoredOffsetInLog(
          options.admin,
          options.offsetTable,
          batch,
          result.nextOffset,
          batch.highWatermark,
        );
      }
      if (result.kind === 'seek') {
        logger.warn('kafka delivered other than the stored offset: seeking to it', {
          partition: batch.partition,
          offset: result.nextOffset.toString(),
        });
        consumer.seek({
          topic: batch.topic,
          partition: batch.partition,
          offset: result.nextOffset.toString(),
        });
        return;
      }
      payload.resolveOffset((result.nextOffset - 1n).toString());
      await payload.heartbeat();
    }
  }

  return {
    consumer,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrent,
        eachBatch: async (payload) => {
          try {
            await whileHeartbeating(() => payload.heartbeat(), eachBatch(payload));
          } catch (error) {
            // Anything else kafkajs retries by restarting the consumer; these would fail again.
            if (error instanceof AssertionFailure || options.isFatal?.(error) === true) {
              options.onFatal(error);
            }
            throw error;
          }
        },
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
