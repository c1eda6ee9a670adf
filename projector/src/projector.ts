import { trace } from '@opentelemetry/api';
import {
  createPartitionConsumer,
  type PartitionConsumer,
  endSpanWithError,
  linkMessage,
  startProcessSpan,
  traceAttributes,
  withPostgresRetries,
  type Logger,
  type SliceResult,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import {
  processPartitionBatch,
  type PartitionBatchDeps,
  type PartitionBatchResult,
} from './partitionBatch.ts';
import type { ProjectorMetrics } from './projectorMetrics.ts';

const tracer = trace.getTracer('projector');

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

/** Started and stopped as runtime's partition consumer it runs on. */
export type Projector = PartitionConsumer;

/**
 * The consumer group on `ledger.events` that keeps the read models, on runtime's partition
 * consumer (Postgres the offset of record): each slice is projected and written by
 * `processPartitionBatch`. Unlike the ledger processor, partitions commit in transactions of their
 * own, concurrently (the processor group-commits them: ledger-processor/src/groupCommitter.ts).
 */
export function createProjector(deps: ProjectorDeps): Projector {
  const { options, logger, metrics } = deps;
  if (options.transactionEventsMax < 1 || options.transactionEventsMax > transactionEventsMax) {
    throw new Error(`transactionEventsMax must be in [1, ${transactionEventsMax}]`);
  }
  const batchDeps: PartitionBatchDeps = {
    pool: deps.pool,
    serde: deps.serde,
    topic: deps.eventsTopic,
    consumerGroup: options.consumerGroup,
  };
  // A Postgres restart is waited out, the batch heartbeating meanwhile (partitionConsumer.ts).
  function withRetries(partition: number, slice: KafkaMessage[]) {
    return withPostgresRetries(() => processPartitionBatch(batchDeps, partition, slice, deps.now), {
      logger,
      onTransientRetry: () => metrics.batchRetries.inc(),
    });
  }

  /**
   * One transaction of read-model updates is one `process ledger.events` span: a root linked to
   * each event's `send` span (event id, partition, offset), built only while it records.
   */
  async function applyTraced(partition: number, slice: KafkaMessage[]) {
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

  /** One slice in one transaction; Postgres' stored offset decides what it applies. */
  async function applySlice(partition: number, slice: KafkaMessage[]): Promise<SliceResult> {
    const sliceEnd = BigInt(slice.at(-1)?.offset ?? '-1') + 1n;
    const timer = metrics.batchSeconds.startTimer();
    const result = await applyTraced(partition, slice);
    timer();
    if (result.kind === 'committed') {
      record(result);
      return { kind: 'next', nextOffset: sliceEnd };
    }
    metrics.skippedBatches.inc();
    // Kafka's position and the stored offset disagree unless it is this slice's end (a crash
    // between the Postgres commit and Kafka's, a rebuild that moved the stored offset).
    return {
      kind: result.nextOffset === sliceEnd ? 'next' : 'seek',
      nextOffset: result.nextOffset,
    };
  }

  // Partitions commit in transactions of their own, concurrently.
  const partitions = createPartitionConsumer({
    kafka: deps.kafka,
    admin: deps.admin,
    groupId: options.consumerGroup,
    topic: deps.eventsTopic,
    sessionTimeoutMs: options.sessionTimeoutMs,
    partitionsConcurrent: options.partitionsConcurrent,
    sliceMessagesMax: options.transactionEventsMax,
    offsetTable: 'projector_offsets',
    logger,
    applySlice,
    onFatal: deps.onFatal,
  });

  return {
    consumer: partitions.consumer,
    start: () => partitions.start(),
    stop: () => partitions.stop(),
  };
}
