import { trace, type Span } from '@opentelemetry/api';
import {
  createPartitionConsumer,
  type PartitionConsumer,
  endSpanWithError,
  linkToTraceparent,
  startProcessSpan,
  traceAttributes,
  withPostgresRetries,
  type Logger,
  type TopicNames,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Admin, Kafka } from 'kafkajs';
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

/** Started and stopped as runtime's partition consumer it runs on. */
export type Processor = PartitionConsumer;

/**
 * The single writer of each `ledger.commands` partition it is assigned, on runtime's partition
 * consumer (Postgres the offset of record): slices are decided and written by `commitGroup`, one
 * group transaction at a time for all its partitions (groupCommitter.ts).
 */
export function createProcessor(deps: ProcessorDeps): Processor {
  const { options, logger } = deps;
  if (options.transactionCommandsMax < 1 || options.transactionCommandsMax > batchCommandsMax) {
    throw new Error(`transactionCommandsMax must be in [1, ${batchCommandsMax}]`);
  }
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
  // Partitions fetched and decoded at once share one transaction at a time (the committer).
  const partitions = createPartitionConsumer({
    kafka: deps.kafka,
    admin: deps.admin,
    groupId: options.consumerGroup,
    topic: deps.topics.commands,
    sessionTimeoutMs: options.sessionTimeoutMs,
    partitionsConcurrent: options.partitionsConcurrent,
    sliceMessagesMax: options.transactionCommandsMax,
    offsetTable: 'consumer_offsets',
    logger,
    beforeBatch: (partition) => drains.of(partition),
    beforeSlice: () => deps.relay.ready(),
    applySlice: async (partition, messages) => {
      const result = await committer.submit({ partition, messages });
      return { kind: result.kind === 'seek' ? 'seek' : 'next', nextOffset: result.nextOffset };
    },
    isFatal: (error) => error instanceof OutboxRelayFailure,
    onFatal: deps.onFatal,
  });
  const { consumer } = partitions;
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

  return {
    consumer,
    async start() {
      drains.startSweeps();
      await partitions.start();
    },
    async stop() {
      await drains.stopSweeps();
      await partitions.stop();
      await deps.relay
        .idle()
        .catch((error: unknown) => logger.error('outbox relay failed', { error }));
    },
  };
}
