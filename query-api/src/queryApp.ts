import type { Server } from 'node:http';
import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import {
  LedgerError,
  createOpsRoutes,
  createSharedRateLimiter,
  type ApiKeys,
  type IdGenerator,
  type Logger,
  type RateLimiter,
  type ReadinessCheck,
  type SharedRateLimiterOptions,
} from '@ledger/runtime';
import type { Registry } from 'prom-client';
import type { BalanceSnapshot } from './accountModel.ts';
import { createAccountReader } from './accountReader.ts';
import { createBalanceCache, type BalanceCache, type ChangeOutcome } from './balanceCache.ts';
import { createBalanceStream, type BalanceStream } from './balanceStream.ts';
import type { QueryApiConfig } from './config.ts';
import { createQueryAdmission } from './http/admission.ts';
import { createRequestRecorder } from './http/httpMetrics.ts';
import { queryApiDocument } from './openApiDocument.ts';
import type { ReadModels } from './postgres/readModels.ts';
import {
  cacheHooksOf,
  createQueryApiMetrics,
  waiterHooksOf,
  type QueryApiMetrics,
} from './queryApiMetrics.ts';
import { createQueryServer } from './queryServer.ts';
import { createVersionWaiters, type VersionWaiters } from './versionWaiters.ts';

/**
 * The query API without its connections: cache, version waiters, stream and HTTP server over an
 * injected read model. wiring.ts adds Postgres, the change feed and listening; unit tests drive
 * this same assembly with an in-memory read model and call `applyChange` as the feed would.
 */
export interface QueryApp {
  readonly server: Server;
  readonly cache: BalanceCache;
  readonly waiters: VersionWaiters;
  readonly stream: BalanceStream;
  readonly metrics: QueryApiMetrics;
  /** One change from the feed: the cache (and through it the waiters), then the stream. */
  applyChange(change: BalanceSnapshot): ChangeOutcome;
  /**
   * A batch of changes from the feed, in its order: all into the cache (a `ledger.cache_update`
   * span), then all to the stream (`ledger.stream_push`, its child), under the feed's batch span.
   */
  applyChanges(changes: readonly BalanceSnapshot[], traceContext?: Context): void;
  /**
   * Whether a change for this account would do anything here: cached or loading, waited for, or
   * streamed. The feed skips decoding the others (most of the changelog, and all of it at
   * start-up): applyChange would drop them as `uncached` anyway, and a load that starts later
   * reads the account row the processor committed before it published (readModels.ts).
   */
  wantsChange(accountId: string): boolean;
  /** Counts a change the feed did not decode because nobody here wanted it. */
  skipChange(): void;
  /** Stops streams and waits; the caller closes the server after. */
  close(): Promise<void>;
}

export type QueryAppOptions = Pick<
  QueryApiConfig,
  'cache' | 'waiters' | 'stream' | 'rateLimit' | 'httpConnectionsMax'
>;

export interface QueryAppDeps {
  readonly readModels: ReadModels;
  readonly options: QueryAppOptions;
  /** Who may read (runtime's apiKeys.ts); disabled means keys are off. */
  readonly apiKeys: ApiKeys;
  /** Where the rate limits are shared; undefined: each limit is local to this instance. */
  readonly rateLimitStore?: {
    readonly redis: NonNullable<SharedRateLimiterOptions['redis']>;
    readonly keyPrefix: string;
  };
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  /** Reported by ledger_dependency_up only (opsRoutes.ts): Redis, the registry. */
  readonly observedDependencies?: readonly ReadinessCheck[];
  readonly isAccepting: () => boolean;
  readonly ids: IdGenerator;
  readonly now: () => number;
  readonly logger: Logger;
}

export function createQueryApp(deps: QueryAppDeps): QueryApp {
  const { options, logger } = deps;
  const sizes = { cacheEntries: () => 0 };
  const metrics = createQueryApiMetrics(deps.registry, {
    cacheEntries: () => sizes.cacheEntries(),
  });
  const waiters = createVersionWaiters({ ...options.waiters, hooks: waiterHooksOf(metrics) });
  const cache = createBalanceCache({
    ...options.cache,
    load: deps.readModels.loadAccount,
    hooks: cacheHooksOf(metrics),
    onVersion: (accountId, version) => waiters.notify(accountId, version),
  });
  sizes.cacheEntries = () => cache.size;
  const reader = createAccountReader({ cache, waiters, now: deps.now });
  const limiter = (name: string, limit: number, shared = true): RateLimiter =>
    createSharedRateLimiter({
      redis: shared ? deps.rateLimitStore?.redis : undefined,
      keyPrefix: `${deps.rateLimitStore?.keyPrefix ?? 'query'}:${name}`,
      limit,
      windowMs: options.rateLimit.windowMs,
      onDegraded: () => metrics.redisDegraded.inc({ operation: 'rate_limit' }),
    });
  const admission = createQueryAdmission({
    apiKeys: deps.apiKeys,
    requests:
      options.rateLimit.requests === 0
        ? undefined
        : limiter('requests', options.rateLimit.requests, options.rateLimit.requestsShared),
    streamConnects: limiter('stream-connects', options.rateLimit.streamConnects),
    streamSubscriptions: limiter('stream-subscriptions', options.rateLimit.streamSubscriptions),
    onRateLimited: (limit) => metrics.rateLimited.inc({ limit }),
  });
  const stream = createBalanceStream({
    options: options.stream,
    admission,
    current: (accountId) => cache.getIfCached(accountId),
    snapshot: async (accountId) => (await cache.get(accountId)).account,
    logger,
    now: deps.now,
    hooks: {
      connections: (count) => metrics.streamConnections.set(count),
      drop: (reason) => metrics.streamDrops.inc({ reason }),
      push: () => metrics.streamPushes.inc(),
      gap: (reason) => metrics.streamGaps.inc({ reason }),
    },
  });
  const server = createQueryServer({
    reader,
    readModels: deps.readModels,
    stream,
    admission,
    recordRequest: createRequestRecorder(metrics.httpDuration),
    handleOps: createOpsRoutes({
      registry: deps.registry,
      readiness: deps.readiness,
      observedDependencies: deps.observedDependencies,
      isAccepting: deps.isAccepting,
      apiKeys: deps.apiKeys,
      openApiJson: JSON.stringify(queryApiDocument()),
    }),
    ids: deps.ids,
    logger,
    httpConnectionsMax: options.httpConnectionsMax,
  });
  const changeCounters = Object.fromEntries(
    changeOutcomes.map((outcome) => [outcome, metrics.changes.labels(outcome)]),
  ) as Record<ChangeOutcome, { inc(): void }>;
  const skippedChanges = metrics.changes.labels('skipped');

  return {
    server,
    cache,
    waiters,
    stream,
    metrics,
    wantsChange: (accountId) =>
      cache.tracks(accountId) || waiters.has(accountId) || stream.isSubscribed(accountId),
    skipChange: () => skippedChanges.inc(),
    applyChange(change) {
      const outcome = cache.applyChange(change);
      changeCounters[outcome].inc();
      stream.publish(change);
      return outcome;
    },
    applyChanges(changes, traceContext = ROOT_CONTEXT) {
      const attributes = { 'ledger.changes': changes.length };
      const cacheSpan = tracer.startSpan('ledger.cache_update', { attributes }, traceContext);
      for (const change of changes) changeCounters[cache.applyChange(change)].inc();
      const pushSpan = tracer.startSpan(
        'ledger.stream_push',
        { attributes: { ...attributes, 'ledger.stream_connections': stream.connectionCount } },
        trace.setSpan(traceContext, cacheSpan),
      );
      for (const change of changes) stream.publish(change);
      pushSpan.end();
      cacheSpan.end();
    },
    async close() {
      await stream.close();
      waiters.closeAll(
        new LedgerError('unavailable', 'the server is shutting down', { retryAfterSeconds: 1 }),
      );
    },
  };
}

const tracer = trace.getTracer('query-api');

const changeOutcomes: readonly ChangeOutcome[] = [
  'applied',
  'stale',
  'held_for_load',
  'uncached',
  'invalidated',
];
