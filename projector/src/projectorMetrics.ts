import { Counter, Histogram, type Registry } from 'prom-client';

export function createProjectorMetrics(registry: Registry) {
  return {
    eventsApplied: new Counter({
      name: 'ledger_projector_events_applied_total',
      help: 'Events projected into the read models, by event type (redelivered copies included)',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    batches: new Counter({
      name: 'ledger_projector_batches_total',
      help: 'Transactions committed by the projector (one per partition batch slice)',
      registers: [registry],
    }),
    batchEvents: new Histogram({
      name: 'ledger_projector_batch_events',
      help: 'Events per committed transaction',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'ledger_projector_batch_seconds',
      help: 'Time from transaction begin to commit for one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    lagSeconds: new Histogram({
      name: 'ledger_projector_lag_seconds',
      help: 'Projection lag: event occurredAt (decided by the processor) to read-model commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    batchRetries: new Counter({
      name: 'ledger_projector_batch_retries_total',
      help: 'Batches retried after a transient Postgres error (deadlock, serialization failure)',
      registers: [registry],
    }),
    skippedBatches: new Counter({
      name: 'ledger_projector_skipped_batches_total',
      help: 'Batches not at the stored offset (redelivery, a rebuild moved the offset): seeked',
      registers: [registry],
    }),
  };
}
export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
