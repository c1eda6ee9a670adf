import { registerRequestCounter } from '@ledger/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const byRegistry = new WeakMap<Registry, CommandApiMetrics>();

/**
 * Every metric this service records, registered once on the injected (per-instance) registry;
 * the app, the producer and the lag monitor share them through this lookup.
 */
export function commandApiMetrics(registry: Registry): CommandApiMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    metrics = createCommandApiMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

function createCommandApiMetrics(registry: Registry) {
  const httpDuration = new Histogram({
    name: 'command_api_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  registerRequestCounter(registry, 'command_api_http_requests_total', httpDuration);
  return {
    httpDuration,
    commands: new Counter({
      name: 'command_api_commands_total',
      help: 'Commands by type and what became of them at the edge',
      labelNames: ['type', 'result'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'command_api_rate_limited_total',
      help: 'Requests refused with 429',
      registers: [registry],
    }),
    shed: new Counter({
      name: 'command_api_shed_total',
      help: 'Requests refused with 503 overloaded, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    redisDegraded: new Counter({
      name: 'command_api_redis_degraded_total',
      help: 'Operations that went on without Redis (no rate limit, no wait, Postgres fallback)',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    ledgerChecks: new Counter({
      name: 'command_api_idempotency_ledger_checks_total',
      help: 'Published commands whose idempotency claim was unverified (Redis down, claim taken over), by what the ledger decided: replayed, conflict, new, or undecided in time',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    idempotencyTakeovers: new Counter({
      name: 'command_api_idempotency_takeovers_total',
      help: 'Pending idempotency claims taken over because their owner instance lease had lapsed',
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: 'command_api_redis_up',
      help: '1 when the Redis connection is ready; 0 means degraded (no waits, no rate limits)',
      registers: [registry],
    }),
    waits: new Counter({
      name: 'command_api_outcome_waits_total',
      help: 'Prefer: wait requests by result (decided, timeout, not_waited)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    waitedCommands: new Gauge({
      name: 'command_api_waited_commands',
      help: 'Commands Prefer: wait requests are waiting for on this instance (at most waitedCommandsMax)',
      registers: [registry],
    }),
    producerBatchSize: new Histogram({
      name: 'command_api_producer_batch_messages',
      help: 'Messages per Kafka sendBatch call',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    producerQueueDepth: new Gauge({
      name: 'command_api_producer_queue_messages',
      help: 'Messages waiting for the next Kafka sendBatch',
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'command_api_processor_consumer_lag_messages',
      help: "The ledger processor group's lag on the commands topic, as last read",
      registers: [registry],
    }),
  };
}

export type CommandApiMetrics = ReturnType<typeof createCommandApiMetrics>;
