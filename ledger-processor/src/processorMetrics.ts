import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createProcessorMetrics(registry: Registry) {
  return {
    commandsDecided: new Counter({
      name: 'ledger_processor_commands_decided_total',
      help: 'Commands decided, by decision kind (applied, rejected, duplicate, conflict)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'ledger_processor_dead_letters_total',
      help: 'Commands sent to the dead-letter topic (undecodable or invalid)',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'ledger_processor_batch_commands',
      help: 'Commands per committed transaction',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'ledger_processor_batch_seconds',
      help: 'Time from taking a connection to commit for one group transaction, retries included',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    transactionPhaseSeconds: new Histogram({
      name: 'ledger_processor_transaction_phase_seconds',
      help: 'Time in each step of a ledger transaction (lock_offsets, snapshot, decide, write, commit)',
      labelNames: ['phase'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchRetries: new Counter({
      name: 'ledger_processor_batch_retries_total',
      help: 'Batches retried after a transient Postgres error (unique violation across partitions, deadlock)',
      registers: [registry],
    }),
    redeliveredSkipped: new Counter({
      name: 'ledger_processor_redelivered_batches_total',
      help: 'Batches whose messages the stored offset already covered (redelivery after crash or rebalance)',
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'ledger_processor_outbox_published_total',
      help: 'Outbox rows (events and dead letters) published to Kafka',
      registers: [registry],
    }),
    outboxOldestUnpublishedAge: new Gauge({
      name: 'ledger_processor_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest outbox row not yet acknowledged by Kafka, over the partitions this instance owns (0 when all are published)',
      registers: [registry],
    }),
    outboxPruned: new Counter({
      name: 'ledger_processor_outbox_pruned_total',
      help: 'Published outbox rows deleted after the retention',
      registers: [registry],
    }),
    outcomeNoticeFailures: new Counter({
      name: 'ledger_processor_outcome_notice_failures_total',
      help: 'Batches whose outcomes could not be pushed to Redis (waiting clients get 202)',
      registers: [registry],
    }),
  };
}
export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;
