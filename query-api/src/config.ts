import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  apiKeysMax,
  assert,
  intFromEnv,
  listFromEnv,
  postgresPoolMax,
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
  readonly apiKeys: readonly string[];
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
  const apiKeys = listFromEnv(env, 'LEDGER_API_KEYS', apiKeysMax);
  const waitersMax = int('LEDGER_QUERY_API_WAITERS_MAX', 10_000, 1, 1_000_000);
  return {
    ...common,
    instanceId,
    postgresPoolMax: int('LEDGER_QUERY_API_PG_POOL_MAX', 8, 1, postgresPoolMax),
    listenHost: stringFromEnv(env, 'LEDGER_QUERY_API_HOST', '0.0.0.0'),
    apiKeys,
    cache: {
      // DESIGN.md: 1M cached balances must fit in 512 MB.
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
    // Keep-alive clients each hold a socket; 1000 concurrent clients is a target (DESIGN.md).
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
