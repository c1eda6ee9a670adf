import { trace, type Span } from '@opentelemetry/api';
import {
  AssertionFailure,
  assertStoredOffsetInLog,
  createGroupConsumer,
  endSpanWithError,
  linkToTraceparent,
  startProcessSpan,
  traceAttributes,
  whileHeartbeating,
  withPostgresRetries,
  type Logger,
  type TopicNames,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pg from 'pg';
import { batchCommandsMax } from './domain/index.ts';
import { OutboxRelayFailure, type OutboxRelay } from './outboxRelay.ts';
import type { OutcomeNotifier } from './outcomeNotifier.ts';
import { createPartitionDrains } from './partitionDrains.ts';
import { createGroupCommitter } from './groupCommitter.ts';
import {
  commitGroup,
  decodeSlice,
  type DecodedSlice,
  type GroupResult,
  type GroupTransactionDeps,
} from './groupTransaction.ts';
import { recordDecisions, type ProcessorMetrics } from './processorMetrics.ts';

const tracer = trace.getTracer('ledger-processor');

/** Partitions fetched and decoded at once; their slices share one transaction at a time. */
export const partitionsConcurrentMax = 32;

export interface ProcessorOptions {
  readonly consumerGroup: string;
  readonly partitionsConcurrent: number;
  /** Commands one transaction may carry, all partitions together (≤ batchCommandsMax). */
  readonly transactionCommandsMax: number;
  /** How long the group waits for a silent member before moving its partitions. */
  readonly sessionTimeoutMs: number;
}

export interface ProcessorDeps {
  readonly kafka: Kafka;
  /** The service's connected admin client: the log's end when a stored offset lies past a batch. */
  readonly admin: Pick<Admin, 'fetchTopicOffsets'>;
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
 * whose batches are decided and written by `commitGroup` (one group transaction at a time for
 * all its partitions, see groupCommitter.ts), with Postgres as the offset
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
  const consumer = createGroupConsumer(deps.kafka, {
    groupId: options.consumerGroup,
    sessionTimeoutMs: options.sessionTimeoutMs,
    onFatal: deps.onFatal,
  });
  const groupDeps: GroupTransactionDeps = {
    pool: deps.pool,
    serde: deps.serde,
    topics: deps.topics,
    consumerGroup: options.consumerGroup,
    owner: deps.owner,
    now: deps.now,
    nextEventId: deps.nextEventId,
    observePhase: (phase, seconds) =>
      deps.metrics.transactionPhaseSeconds.observe({ phase }, seconds),
  };
  const committer = createGroupCommitter({
    decode: (slice) => decodeSlice(groupDeps, slice),
    commit: commitWithRetries,
    commandsMax: options.transactionCommandsMax,
    waitingMax: options.partitionsConcurrent,
  });
  // Republish what a crash or a former owner left past the position as soon as the group assigns
  // a partition, not when its next command arrives, and whatever a sweep finds left behind
  // later; a failed drain goes to onFatal.
  const drains = createPartitionDrains({
    relay: deps.relay,
    pool: deps.pool,
    oldestUnpublishedAge: deps.metrics.outboxOldestUnpublishedAge,
    onFailure: deps.onFatal,
    onSweepError: (error) => logger.warn('outbox sweep failed', { error }),
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    drains.assigned(event.payload.memberAssignment[deps.topics.commands] ?? []);
  });

  /**
   * One group transaction is one `process` span: a root linked to every command it carries
   * (each command's producer span, with its id, partition and offset), the parent of the
   * decide and commit spans and, through the outbox rows, of the relay's `send` spans.
   */
  async function commitWithRetries(slices: readonly DecodedSlice[]) {
    const timer = deps.metrics.batchSeconds.startTimer();
    const batch = startProcessSpan(tracer, deps.topics.commands, {
      [traceAttributes.consumerGroup]: options.consumerGroup,
    });
    if (batch.span.isRecording()) linkCommands(batch.span, slices);
    let result: GroupResult;
    try {
      result = await withPostgresRetries(() => commitGroup(groupDeps, slices, batch.context), {
        logger,
        onTransientRetry: () => deps.metrics.batchRetries.inc(),
      });
    } catch (error) {
      endSpanWithError(batch.span, error);
      throw error;
    }
    batch.span.setAttribute(
      traceAttributes.batchMessageCount,
      result.decision?.decisions.length ?? 0,
    );
    batch.span.end();
    timer();
    record(result);
    return result.slices;
  }

  /** Only for a recording span: an extract and a link per command, no span. */
  function linkCommands(span: Span, slices: readonly DecodedSlice[]): void {
    for (const slice of slices) {
      const partition = String(slice.partition);
      for (const message of slice.messages) {
        if (message.kind !== 'command') continue;
        const link = linkToTraceparent(message.traceparent, {
          [traceAttributes.commandId]: message.command.commandId,
          [traceAttributes.partitionId]: partition,
          [traceAttributes.kafkaOffset]: Number(message.offset),
        });
        if (link !== undefined) span.addLink(link);
      }
    }
  }

  function record(result: GroupResult): void {
    for (const slice of result.slices)
      if (slice.kind === 'already_applied') deps.metrics.redeliveredSkipped.inc();
    const { decision } = result;
    if (decision === undefined) return;
    deps.relay.enqueue(result.outbox);
    void deps.notifier.notify(decision.decisions.map((entry) => entry.outcome));
    deps.metrics.batchSize.observe(decision.decisions.length);
    deps.metrics.deadLetters.inc(result.deadLetters);
    recordDecisions(deps.metrics, decision.decisions, deps.now());
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await drains.of(batch.partition);
    for (let start = 0; start < batch.messages.length; start += options.transactionCommandsMax) {
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(start, start + options.transactionCommandsMax);
      await deps.relay.ready();
      const result = await committer.submit({ partition: batch.partition, messages });
      // An offset applied already may lie past this batch, never past the log's end.
      await assertStoredOffsetInLog(
        deps.admin,
        'consumer_offsets',
        batch,
        result.nextOffset,
        batch.highWatermark,
      );
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
      drains.startSweeps();
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrent,
        eachBatch: async (payload) => {
          try {
            // A batch that waits (a drain, the relay, Postgres) keeps its partitions meanwhile.
            await whileHeartbeating(() => payload.heartbeat(), eachBatch(payload));
          } catch (error) {
            // Anything else kafkajs retries by restarting the consumer; these two would fail again.
            if (error instanceof AssertionFailure || error instanceof OutboxRelayFailure) {
              deps.onFatal(error);
            }
            throw error;
          }
        },
      });
    },
    async stop() {
      await drains.stopSweeps();
      await consumer.disconnect();
      await deps.relay
        .idle()
        .catch((error: unknown) => logger.error('outbox relay failed', { error }));
    },
  };
}
