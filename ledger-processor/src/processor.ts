import {
  AssertionFailure,
  isTransientPostgresError,
  withTransientRetries,
  type Logger,
  type TopicNames,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { batchCommandsMax } from './domain/index.ts';
import type { OutboxRelay } from './outboxRelay.ts';
import type { OutcomeNotifier } from './outcomeNotifier.ts';
import {
  processPartitionBatch,
  type PartitionBatchDeps,
  type PartitionBatchResult,
} from './partitionBatch.ts';
import type { ProcessorMetrics } from './processorMetrics.ts';

/** Partitions whose batches run at once; each holds one Postgres connection while it works. */
export const partitionsConcurrentMax = 32;

export interface ProcessorOptions {
  readonly consumerGroup: string;
  readonly partitionsConcurrent: number;
  /** Slice size for one transaction (≤ batchCommandsMax). */
  readonly transactionCommandsMax: number;
  /** How long the group waits for a silent member before moving its partitions. */
  readonly sessionTimeoutMs: number;
}

export interface ProcessorDeps {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly topics: TopicNames;
  readonly relay: OutboxRelay;
  readonly notifier: OutcomeNotifier;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly owner: string;
  readonly now: () => number;
  readonly nextEventId: () => string;
  readonly options: ProcessorOptions;
  /** Called on a state that must not be retried in-process (an assertion, a dead relay). */
  readonly onFatal: (error: unknown) => void;
}

export interface Processor {
  start(): Promise<void>;
  /** Finishes or abandons the in-flight batch (never half-applied), then disconnects. */
  stop(): Promise<void>;
  readonly consumer: Consumer;
}

/**
 * The single writer of each `ledger.commands` partition it is assigned: a kafkajs consumer group
 * whose batches are decided and written by `processPartitionBatch`, with Postgres as the offset
 * of record (Kafka offsets are committed too, after Postgres, for lag monitoring only).
 */
export function createProcessor(deps: ProcessorDeps): Processor {
  const { options, logger } = deps;
  if (options.partitionsConcurrent < 1 || options.partitionsConcurrent > partitionsConcurrentMax) {
    throw new Error(`partitionsConcurrent must be in [1, ${partitionsConcurrentMax}]`);
  }
  if (options.transactionCommandsMax < 1 || options.transactionCommandsMax > batchCommandsMax) {
    throw new Error(`transactionCommandsMax must be in [1, ${batchCommandsMax}]`);
  }
  const consumer = deps.kafka.consumer({
    groupId: options.consumerGroup,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    maxBytesPerPartition: 1_048_576,
    retry: { retries: 8 },
  });
  const batchDeps: PartitionBatchDeps = {
    pool: deps.pool,
    serde: deps.serde,
    topics: deps.topics,
    consumerGroup: options.consumerGroup,
    owner: deps.owner,
    logger,
    now: deps.now,
    nextEventId: deps.nextEventId,
  };
  // Partitions whose unsent outbox rows were re-published since this member last joined.
  let drained = new Map<number, Promise<void>>();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    drained = new Map();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) deps.onFatal(event.payload.error);
  });

  function withRetries(partition: number, slice: EachBatchPayload['batch']['messages']) {
    return withTransientRetries(() => processPartitionBatch(batchDeps, partition, slice), {
      isTransient: isTransientPostgresError,
      onRetry: () => deps.metrics.batchRetries.inc(),
    });
  }

  function record(partition: number, result: PartitionBatchResult): void {
    if (result.kind !== 'committed') {
      if (result.kind === 'already_applied') deps.metrics.redeliveredSkipped.inc();
      return;
    }
    deps.relay.enqueue(partition, result.outbox);
    void deps.notifier.notify(result.decision.decisions.map((decision) => decision.outcome));
    deps.metrics.batchSize.observe(result.decision.decisions.length);
    deps.metrics.deadLetters.inc(result.deadLetters);
    for (const decision of result.decision.decisions)
      deps.metrics.commandsDecided.inc({ kind: decision.kind });
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    let drain = drained.get(batch.partition);
    if (drain === undefined) {
      drain = deps.relay.drainUnsent(batch.partition);
      drained.set(batch.partition, drain);
    }
    await drain;
    for (let start = 0; start < batch.messages.length; start += options.transactionCommandsMax) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, start + options.transactionCommandsMax);
      await deps.relay.ready(batch.partition);
      const timer = deps.metrics.batchSeconds.startTimer();
      const result = await withRetries(batch.partition, slice);
      timer();
      record(batch.partition, result);
      if (result.kind === 'seek') {
        logger.warn('kafka delivered past the stored offset: seeking back', {
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
      await consumer.subscribe({ topic: deps.topics.commands, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrent,
        eachBatch: async (payload) => {
          try {
            await eachBatch(payload);
          } catch (error) {
            if (error instanceof AssertionFailure) deps.onFatal(error);
            throw error;
          }
        },
      });
    },
    async stop() {
      await consumer.disconnect();
      await deps.relay
        .idle()
        .catch((error: unknown) => logger.error('outbox relay failed', { error }));
    },
  };
}
