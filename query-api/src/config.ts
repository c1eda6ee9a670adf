import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  assert,
  intFromEnv,
  postgresPoolMax,
  rateWindowMsFromEnv,
  readServiceConfig,
  sessionTimeoutMsFromEnv,
  shutdownTimeoutMs,
  stringFromEnv,
  type ServiceConfig,
} from '@ledger/runtime';
import type { BalanceStreamOptions } from './balanceStream.ts';
import { streamCloseTimeoutMs } from './balanceStream.ts';
import { historyLimitMax, waitMsMax } from './http/requestParsing.ts';
import { historyRowsMax } from './postgres/readModels.ts';

/** Everything the query API needs, read and validated once at start-up. */
export interface QueryApiConfig extends ServiceConfig {
  /** Names this instance's consumer group: every instance must read every change. */
  readonly instanceId: string;
  readonly listenHost: string;
  readonly rateLimit: QueryRateLimits;
  readonly cache: {
    readonly entriesMax: number;
    readonly loadsInFlightMax: number;
    readonly versionFloorsMax: number;
  };
  readonly waiters: { readonly waitersMax: number; readonly waitersPerAccountMax: number };
  readonly stream: BalanceStreamOptions;
  readonly httpConnectionsMax: number;
  readonly consumerSessionTimeoutMs: number;
}

/**
 * Per client (API key, or socket address with keys off) and window, shared by every instance
 * through Redis (runtime's rateLimiter.ts; a local limiter while Redis is down).
 */
export interface QueryRateLimits {
  /** /v1 HTTP requests; 0 turns this limit off. */
  readonly requests: number;
  /**
   * Whether the request limit is counted in Redis across instances. Off by default: a shared
   * decision is a Redis round trip on every read, ~17 µs of this service's CPU against ~1.2 µs
   * for the local counter (measured), while a cached read costs 30-40 µs in all. Per instance, a
   * client gets up to the limit from each instance. The stream limits are always shared.
   */
  readonly requestsShared: boolean;
  /** WebSocket connections opened on /v1/stream. */
  readonly streamConnects: number;
  /** Accounts subscribed on streams (a subscribe message counts at least one). */
  readonly streamSubscriptions: number;
  /** Whole seconds. */
  readonly windowMs: number;
}

export const instanceIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

export function readQueryApiConfig(env: NodeJS.ProcessEnv = process.env): QueryApiConfig {
  checkLimits();
  const common = readServiceConfig(env);
  const int = (name: string, fallback: number, min: number, max: number): number =>
    intFromEnv(env, name, fallback, { min, max });
  const instanceId = stringFromEnv(env, 'LEDGER_QUERY_API_INSTANCE_ID', defaultInstanceId());
  if (!instanceIdPattern.test(instanceId)) {
    throw new Error(`LEDGER_QUERY_API_INSTANCE_ID=${instanceId} must match ${instanceIdPattern}`);
  }
  const waitersMax = int('LEDGER_QUERY_API_WAITERS_MAX', 10_000, 1, 1_000_000);
  return {
    ...common,
    instanceId,
    postgresPoolMax: int('LEDGER_QUERY_API_PG_POOL_MAX', 8, 1, postgresPoolMax),
    listenHost: stringFromEnv(env, 'LEDGER_QUERY_API_HOST', '0.0.0.0'),
    rateLimit: {
      // Generous by default, like the command API's: the bench reads from one address with 1000
      // keep-alive clients, at tens of thousands of requests per second.
      requests: int('LEDGER_QUERY_API_RATE_LIMIT', 100_000, 0, 10_000_000),
      requestsShared: int('LEDGER_QUERY_API_RATE_LIMIT_SHARED', 0, 0, 1) === 1,
      streamConnects: int('LEDGER_QUERY_API_STREAM_CONNECT_RATE_LIMIT', 100, 1, 1_000_000),
      streamSubscriptions: int(
        'LEDGER_QUERY_API_STREAM_SUBSCRIBE_RATE_LIMIT',
        10_000,
        1,
        10_000_000,
      ),
      windowMs: rateWindowMsFromEnv(env, 'LEDGER_QUERY_API_RATE_WINDOW_MS'),
    },
    cache: {
      // A target (docs/architecture.md): 1M cached balances must fit in 512 MB.
      entriesMax: int('LEDGER_QUERY_API_CACHE_ENTRIES_MAX', 1_000_000, 1, 10_000_000),
      // Each load holds a Postgres query (queued on the pool): past this, misses get 503.
      loadsInFlightMax: int('LEDGER_QUERY_API_LOADS_IN_FLIGHT_MAX', 1_000, 1, 100_000),
      // Versions of evicted entries remembered to keep reloads monotonic (a number each).
      versionFloorsMax: int('LEDGER_QUERY_API_VERSION_FLOORS_MAX', 1_000_000, 1, 10_000_000),
    },
    waiters: {
      waitersMax,
      waitersPerAccountMax: int('LEDGER_QUERY_API_WAITERS_PER_ACCOUNT_MAX', 1_000, 1, waitersMax),
    },
    stream: {
      connectionsMax: int('LEDGER_QUERY_API_STREAM_CONNECTIONS_MAX', 1_000, 1, 100_000),
      subscriptionsPerConnectionMax: int(
        'LEDGER_QUERY_API_STREAM_SUBSCRIPTIONS_MAX',
        100,
        1,
        10_000,
      ),
      bufferedBytesMax: int(
        'LEDGER_QUERY_API_STREAM_BUFFERED_BYTES_MAX',
        1024 * 1024,
        1024,
        64 * 1024 * 1024,
      ),
      heartbeatIntervalMs: int('LEDGER_QUERY_API_STREAM_HEARTBEAT_MS', 30_000, 1_000, 300_000),
    },
    // Keep-alive clients each hold a socket; 1000 concurrent clients is a target
    // (docs/architecture.md).
    httpConnectionsMax: int('LEDGER_QUERY_API_HTTP_CONNECTIONS_MAX', 10_000, 1, 1_000_000),
    consumerSessionTimeoutMs: sessionTimeoutMsFromEnv(env, 'LEDGER_QUERY_API_SESSION_TIMEOUT_MS'),
  };
}

/** The named limits, checked against each other: a mismatch is a build bug, caught at start. */
export function checkLimits(): void {
  assert(waitMsMax < shutdownTimeoutMs, 'a minVersion wait must end before the drain budget');
  assert(
    streamCloseTimeoutMs < shutdownTimeoutMs,
    'stream clients must be closed before the drain budget',
  );
  assert(historyLimitMax + 1 <= historyRowsMax, 'a history page plus its look-ahead row must fit');
}

/**
 * Unique per process: two live instances with one id would share a group and split the
 * partitions, each then missing the other's changes.
 */
function defaultInstanceId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 40);
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
