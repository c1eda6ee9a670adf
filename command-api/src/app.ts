import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { LedgerError, createOpsRoutes } from '@ledger/runtime';
import type { CommandApiDeps } from './appDeps.ts';
import { commandApiMetrics, type CommandApiMetrics } from './commandApiMetrics.ts';
import { registerAccountRoutes } from './http/accountRoutes.ts';
import { loadSheddingMiddleware, rateLimitMiddleware } from './http/admissionMiddleware.ts';
import { authMiddleware, scopeMiddleware } from './http/authMiddleware.ts';
import { registerBatchTransferRoutes } from './http/batchTransferRoutes.ts';
import { registerCommandRoutes } from './http/commandRoutes.ts';
import { problemMiddleware } from './http/problemMiddleware.ts';
import { requestContextMiddleware } from './http/requestContext.ts';
import { requestSpanMiddleware } from './http/traceContext.ts';
import { commandApiDocument } from './openApiDocument.ts';
import type { RouteDeps } from './http/routeSupport.ts';
import { registerTransferRoutes } from './http/transferRoutes.ts';

/**
 * The command API as an express app, every dependency injected: main.ts wires the real Kafka,
 * Redis and Postgres adapters; tests pass in-memory fakes and listen on port 0.
 *
 * Order of the checks a /v1 request passes: request id → auth (401) → the route's scope (403) →
 * rate limit (429) → load shedding (503, commands only) → 415/413/400 body checks → validation →
 * the key's tenant (403, every account the command names) → accept.
 */
export function createApp(deps: CommandApiDeps): Express {
  const metrics = commandApiMetrics(deps.registry);
  const isAccepting = deps.isAccepting ?? (() => true);
  const openApiJson = JSON.stringify(commandApiDocument());
  const app = express();
  app.disable('etag');
  app.disable('x-powered-by');
  app.set('trust proxy', deps.options.trustProxy);

  app.use(requestContextMiddleware({ logger: deps.logger, ids: deps.ids }));
  app.use(httpMetricsMiddleware(metrics, () => deps.clock.now()));
  const handleOps = createOpsRoutes({
    registry: deps.registry,
    readiness: deps.readiness,
    observedDependencies: deps.observedDependencies,
    isAccepting,
    apiKeys: deps.apiKeys,
    openApiJson,
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!handleOps(request, response)) next();
  });

  const routeDeps: RouteDeps = {
    publisher: deps.publisher,
    idempotency: deps.idempotency,
    outcomes: deps.outcomes,
    transfers: deps.transfers,
    metrics,
    ids: deps.ids,
    clock: deps.clock,
  };
  const v1 = express.Router({ strict: true, caseSensitive: true });
  v1.use(authMiddleware(deps.apiKeys));
  v1.use(scopeMiddleware());
  v1.use(rateLimitMiddleware({ rateLimiter: deps.rateLimiter, metrics }));
  const shedLoad = loadSheddingMiddleware({
    lagGauge: deps.lagGauge,
    consumerLagMax: deps.options.consumerLagMax,
    retryAfterSeconds: deps.options.overloadedRetryAfterSeconds,
    isAccepting,
    metrics,
    logger: deps.logger,
  });
  // Commands only. Not `v1.post('*', …)`: '*' is a route parameter, which express percent-decodes
  // for every /v1 path of any method, so a malformed escape on an unknown path failed there
  // instead of reaching the 404.
  v1.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method === 'POST') shedLoad(request, response, next);
    else next();
  });
  // The batch route first: '/transfers/batch' must not be taken for anything else.
  registerBatchTransferRoutes(v1, routeDeps);
  registerTransferRoutes(v1, routeDeps);
  registerAccountRoutes(v1, routeDeps);
  registerCommandRoutes(v1, routeDeps);
  // A server span per /v1 request (not the ops routes), before auth so refusals are traced too.
  app.use('/v1', requestSpanMiddleware(), v1);

  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(new LedgerError('not_found', `no route ${request.method} ${request.path}`));
  });
  app.use(problemMiddleware(deps.logger));
  return app;
}

/** Request duration by route template (never the raw path: ids would explode the label set). */
function httpMetricsMiddleware(metrics: CommandApiMetrics, now: () => number) {
  return function recordDuration(request: Request, response: Response, next: NextFunction): void {
    const startedAtMs = now();
    response.once('finish', () => {
      const routePath = (request as { route?: { path?: unknown } }).route?.path;
      const route =
        typeof routePath === 'string'
          ? `${request.baseUrl}${routePath}`
          : opsPaths.has(request.path)
            ? request.path
            : 'unmatched';
      metrics.httpDuration.observe(
        { method: request.method, route, status: String(response.statusCode) },
        Math.max(0, now() - startedAtMs) / 1_000,
      );
    });
    next();
  };
}

const opsPaths = new Set(['/healthz', '/readyz', '/metrics']);
