import { trace } from '@opentelemetry/api';
import {
  AssertionFailure,
  assertStoredOffsetInLog,
  createGroupConsumer,
  endSpanWithError,
  linkMessage,
  startProcessSpan,
  traceAttributes,
  whileHeartbeating,
  withPostgresRetries,
  type Logger,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pg from 'pg';
import {
  processPartitionBatch,
  type PartitionBatchDeps,
  type PartitionBatchResult,
} from './partitionBatch.ts';
import type { ProjectorMetrics } from './projectorMetrics.ts';

const tracer = trace.getTracer('projector');

/** Partitions whose batches run at once; each holds one Postgres connection while it works. */
export const partitionsConcurrentMax = 32;
/** Events in one transaction: bounds the statements' array sizes and a transaction's locks. */
export const transactionEventsMax = 10_000;

export interface ProjectorOptions {
  readonly consumerGroup: string;
  readonly partitionsConcurrent: number;
  /** Slice size for one transaction (≤ transactionEventsMax). */
  readonly transactionEventsMax: number;
  /** How long the group waits for a silent member before moving its partitions. */
  readonly sessionTimeoutMs: number;
}

export interface ProjectorDeps {
  readonly kafka: Kafka;
  /** The service's connected admin client: the log's end when a stored offset lies past a batch. */
  readonly admin: Pick<Admin, 'fetchTopicOffsets'>;
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly eventsTopic: string;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly options: ProjectorOptions;
  /** Called on a state that must not be retried in-process (an assertion, a broken event). */
  readonly onFatal: (error: unknown) => void;
}

export interface Projector {
  start(): Promise<void>;
  /** Finishes or abandons the in-flight batch (never half-applied), then disconnects. */
  stop(): Promise<void>;
  readonly consumer: Consumer;
}

/**
 * The consumer group on `ledger.events` that keeps the read models: each partition batch is
 * projected and written by `processPartitionBatch` with Postgres as the offset of record (Kafka
 * offsets are committed too, after Postgres, for lag monitoring only). Unlike the ledger processor, partitions commit in transactions of their
 * own, concurrently (the processor group-commits them: ledger-processor/src/groupCommitter.ts).
 */
export function createProjector(deps: ProjectorDeps): Projector {
  const { options, logger, metrics } = deps;
  if (options.partitionsConcurrent < 1 || options.partitionsConcurrent > partitionsConcurrentMax) {
    throw new Error(`partitionsConcurrent must be in [1, ${partitionsConcurrentMax}]`);
  }
  if (options.transactionEventsMax < 1 || options.transactionEventsMax > transactionEventsMax) {
    throw new Error(`transactionEventsMax must be in [1, ${transactionEventsMax}]`);
  }
  const consumer = createGroupConsumer(deps.kafka, {
    groupId: options.consumerGroup,
    sessionTimeoutMs: options.sessionTimeoutMs,
    onFatal: deps.onFatal,
  });
  const batchDeps: PartitionBatchDeps = {
    pool: deps.pool,
    serde: deps.serde,
    topic: deps.eventsTopic,
    consumerGroup: options.consumerGroup,
  };
  // A Postgres restart is waited out, the batch heartbeating meanwhile (eachBatch).
  function withRetries(partition: number, slice: EachBatchPayload['batch']['messages']) {
    return withPostgresRetries(() => processPartitionBatch(batchDeps, partition, slice, deps.now), {
      logger,
      onTransientRetry: () => metrics.batchRetries.inc(),
    });
  }

  /**
   * One transaction of read-model updates is one `process ledger.events` span: a root linked to
   * each event's `send` span (event id, partition, offset), built only while it records.
   */
  async function applyTraced(partition: number, slice: EachBatchPayload['batch']['messages']) {
    const batch = startProcessSpan(tracer, deps.eventsTopic, {
      [traceAttributes.consumerGroup]: options.consumerGroup,
      [traceAttributes.partitionId]: String(partition),
      [traceAttributes.batchMessageCount]: slice.length,
    });
    if (batch.span.isRecording()) {
      for (const message of slice) {
        linkMessage(batch.span, message.headers, {
          'ledger.event_id': message.headers?.['event-id']?.toString() ?? '',
          [traceAttributes.partitionId]: String(partition),
          [traceAttributes.kafkaOffset]: Number(message.offset),
        });
      }
    }
    try {
      const result = await withRetries(partition, slice);
      batch.span.setAttribute('ledger.skipped', result.kind === 'skip');
      batch.span.end();
      return result;
    } catch (error) {
      endSpanWithError(batch.span, error);
      throw error;
    }
  }

  function record(result: Extract<PartitionBatchResult, { kind: 'committed' }>): void {
    metrics.batches.inc();
    metrics.batchEvents.observe(result.events.length);
    for (const [type, count] of Object.entries(result.changes.eventCounts)) {
      if (count > 0) metrics.eventsApplied.inc({ type }, count);
    }
    for (const event of result.events) {
      metrics.lagSeconds.observe(Math.max(0, result.committedAtMs - event.occurredAt) / 1000);
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (let start = 0; start < batch.messages.length; start += options.transactionEventsMax) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, start + options.transactionEventsMax);
      const last = slice.at(-1);
      if (last === undefined) return;
      const timer = metrics.batchSeconds.startTimer();
      const result = await applyTraced(batch.partition, slice);
      timer();
      if (result.kind === 'skip') {
        metrics.skippedBatches.inc();
        if (result.nextOffset === BigInt(last.offset) + 1n) {
          payload.resolveOffset(last.offset);
          continue;
        }
        // Kafka's position and the stored offset disagree (a crash between the Postgres commit
        // and Kafka's, a rebuild that moved the stored offset): Postgres is the record.
        await assertStoredOffsetInLog(
          deps.admin,
          'projector_offsets',
          batch,
          result.nextOffset,
          batch.highWatermark,
        );
        logger.info('seeking to the stored offset', {
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
      record(result);
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }

  return {
    consumer,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: deps.eventsTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrent,
        eachBatch: async (payload) => {
          try {
            // A batch that waits for Postgres keeps its partitions meanwhile.
            await whileHeartbeating(() => payload.heartbeat(), eachBatch(payload));
          } catch (error) {
            if (error instanceof AssertionFailure) deps.onFatal(error);
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
