import { registerRequestCounter } from '@ledger/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RequestDurations } from './http/requestDurations.ts';
import type { BalanceCacheHooks } from './balanceCache.ts';
import type { VersionWaitersHooks } from './versionWaiters.ts';

/** Every metric the query API records, on the injected per-instance registry. */
export type QueryApiMetrics = ReturnType<typeof createQueryApiMetrics>;

/** Values read when Prometheus scrapes, rather than tracked on every change. */
export interface MetricReadings {
  cacheEntries(): number;
}

export function createQueryApiMetrics(registry: Registry, readings: MetricReadings) {
  const registers = [registry];
  // Hit and miss happen on every read: plain numbers on the hot path, folded into the counter
  // when Prometheus scrapes (a labelled prom-client inc hashes its labels every time).
  const cacheReads = { hit: 0, miss: 0 };
  const cacheReadsFolded = { hit: 0, miss: 0 };
  new Counter({
    name: 'query_api_cache_requests_total',
    help: 'Account reads by cache result (hit, miss)',
    labelNames: ['result'] as const,
    registers,
    collect() {
      for (const result of ['hit', 'miss'] as const) {
        this.inc({ result }, cacheReads[result] - cacheReadsFolded[result]);
        cacheReadsFolded[result] = cacheReads[result];
      }
    },
  });
  const waiterEvents = new Counter({
    name: 'query_api_version_waits_total',
    help: 'minVersion waits that ended without the version: timeout (504), refused (503)',
    labelNames: ['result'] as const,
    registers,
  });
  const httpDuration = new RequestDurations({
    name: 'query_api_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registry,
  });
  registerRequestCounter(registry, 'query_api_http_requests_total', httpDuration);
  return {
    httpDuration,
    cacheReads,
    cacheEvictions: new Counter({
      name: 'query_api_cache_evictions_total',
      help: 'Entries evicted by the LRU bound (LEDGER_QUERY_API_CACHE_ENTRIES_MAX)',
      registers,
    }),
    cacheEntries: new Gauge({
      name: 'query_api_cache_entries',
      help: 'Accounts held in the cache',
      registers,
      collect() {
        this.set(readings.cacheEntries());
      },
    }),
    cacheLoadsInFlight: new Gauge({
      name: 'query_api_cache_loads_in_flight',
      help: 'Keys being loaded from Postgres right now (one query per key)',
      registers,
    }),
    staleLoadsRefused: new Counter({
      name: 'query_api_cache_stale_loads_refused_total',
      help: 'Reloads older than a version already served, refused with 503 (read model went back)',
      registers,
    }),
    waiters: new Gauge({
      name: 'query_api_version_waiters',
      help: 'Requests parked until an account reaches their minVersion',
      registers,
    }),
    waiterTimeouts: waiterEvents.labels('timeout'),
    waiterRefusals: waiterEvents.labels('refused'),
    changes: new Counter({
      name: 'query_api_changes_total',
      help: 'Balance changes consumed, by what the cache did with them (skipped: not decoded, nobody here wanted the account)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    changeUndecodable: new Counter({
      name: 'query_api_changes_undecodable_total',
      help: 'ledger.balances messages that broke the wire contract, skipped',
      registers,
    }),
    updateLag: new Histogram({
      name: 'query_api_update_lag_seconds',
      help: 'From a balance change (updatedAt) to this instance applying it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    streamConnections: new Gauge({
      name: 'query_api_stream_connections',
      help: 'Open WebSocket connections on /v1/stream',
      registers,
    }),
    streamDrops: new Counter({
      name: 'query_api_stream_drops_total',
      help: 'WebSocket connections refused or cut by the server, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    streamGaps: new Counter({
      name: 'query_api_stream_gaps_total',
      help:
        'Versions a stream connection stopped waiting for and skipped, by reason (timeout: never ' +
        'published, after a projector crash or compaction; overflow: reorder buffer full)',
      labelNames: ['reason'] as const,
      registers,
    }),
    streamPushes: new Counter({
      name: 'query_api_stream_pushes_total',
      help: 'Balance frames sent to WebSocket clients',
      registers,
    }),
    rateLimited: new Counter({
      name: 'query_api_rate_limited_total',
      help: 'Refused with rate_limited, by limit (requests, stream_connects, stream_subscriptions)',
      labelNames: ['limit'] as const,
      registers,
    }),
    redisDegraded: new Counter({
      name: 'query_api_redis_degraded_total',
      help: 'Operations that went on without Redis (rate_limit: decided by the local limiter)',
      labelNames: ['operation'] as const,
      registers,
    }),
  };
}

export function cacheHooksOf(metrics: QueryApiMetrics): BalanceCacheHooks {
  return {
    hit: () => (metrics.cacheReads.hit += 1),
    miss: () => (metrics.cacheReads.miss += 1),
    eviction: () => metrics.cacheEvictions.inc(),
    loadsInFlight: (count) => metrics.cacheLoadsInFlight.set(count),
    staleLoadRefused: () => metrics.staleLoadsRefused.inc(),
  };
}

export function waiterHooksOf(metrics: QueryApiMetrics): VersionWaitersHooks {
  return {
    waiting: (count) => metrics.waiters.set(count),
    timedOut: () => metrics.waiterTimeouts.inc(),
    refused: () => metrics.waiterRefusals.inc(),
  };
}
