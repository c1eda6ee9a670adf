import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { isApiKeyRefusal, type ApiKeys } from './apiKeys.ts';
import { requireScope } from './authorization.ts';
import { problemResponseOf, type LedgerError } from './errors.ts';
import { registerDependencyGauge } from './metrics.ts';
import { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness.ts';

export interface OpsRoutesDeps {
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  /**
   * Dependencies reported by `ledger_dependency_up` beside the readiness checks but that do not
   * make the service unready (Redis: it carries conveniences only; the registry where ids are
   * cached after start).
   */
  readonly observedDependencies?: readonly ReadinessCheck[];
  /** False while draining on SIGTERM, so load balancers stop sending before we close. */
  readonly isAccepting?: () => boolean;
  /**
   * When keys are on: `/metrics` needs a key with `ops:read` (401/403 otherwise), and `/readyz`
   * shows its checks (dependency names and errors) only to such a key; to anyone else it answers
   * the same status code with the status alone. `/healthz` stays open.
   */
  readonly apiKeys?: ApiKeys;
  /**
   * The API's OpenAPI document, serialized once at start, served at `GET /openapi.json` to anyone
   * (it describes the API, it holds no data).
   */
  readonly openApiJson?: string;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for every service, on plain node:http so the processor and
 * projector need no web framework. Returns false for any other path so callers can chain.
 *
 * With API keys on, `/healthz` stays open: a liveness probe must not need a secret, and it says
 * only that the process answers. `/readyz` keeps its status code open for the same reason (load
 * balancers, the local supervisor and compose probes send no key) but hides its check details.
 * `/metrics` needs `ops:read`: it tells traffic, error and rate-limit counts per route, cache
 * sizes and process internals, and Prometheus sends a bearer token natively
 * (`authorization: { credentials_file: … }` in its scrape config).
 */
export function createOpsRoutes(deps: OpsRoutesDeps) {
  // One run of the checks at a time, shared by every /readyz that arrives meanwhile: the APIs
  // serve /readyz on their public port, and a check that times out still holds its Postgres
  // query in the pool's queue, so a burst of probes must not become a burst of queries.
  let checking: Promise<ReadinessReport> | undefined;
  const checkReadiness = () =>
    (checking ??= runReadinessChecks(deps.readiness).finally(() => {
      checking = undefined;
    }));
  const observed = deps.observedDependencies ?? [];
  registerDependencyGauge(
    deps.registry,
    [...deps.readiness, ...observed].map((check) => check.name),
    async () => {
      const [ready, others] = await Promise.all([checkReadiness(), runReadinessChecks(observed)]);
      return { ...ready.checks, ...others.checks };
    },
  );
  /** Undefined when the request may see ops data: keys off, or a key with `ops:read`. */
  const opsAccess = (request: IncomingMessage): LedgerError | undefined => {
    const apiKeys = deps.apiKeys;
    if (apiKeys === undefined || !apiKeys.enabled) return undefined;
    const principal = apiKeys.authenticate(request.headers.authorization);
    if (isApiKeyRefusal(principal)) return principal;
    return requireScope(principal, 'ops:read');
  };
  return function handleOps(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      const details = opsAccess(request) === undefined;
      void checkReadiness().then(
        (report) => {
          const accepting = deps.isAccepting?.() ?? true;
          const ready = report.ready && accepting;
          const status = ready ? 'ready' : accepting ? 'not_ready' : 'draining';
          sendJson(
            response,
            ready ? 200 : 503,
            details ? { status, checks: report.checks } : { status },
          );
        },
        (error: unknown) =>
          sendJson(
            response,
            503,
            details ? { status: 'not_ready', error: String(error) } : { status: 'not_ready' },
          ),
      );
      return true;
    }
    if (path === '/openapi.json' && deps.openApiJson !== undefined) {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(deps.openApiJson),
      });
      response.end(deps.openApiJson);
      return true;
    }
    if (path === '/metrics') {
      const refusal = opsAccess(request);
      if (refusal !== undefined) {
        sendProblem(response, refusal);
        return true;
      }
      deps.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': deps.registry.contentType });
          response.end(text);
        },
        (error: unknown) => sendJson(response, 500, { error: String(error) }),
      );
      return true;
    }
    return false;
  };
}

function sendProblem(response: ServerResponse, error: LedgerError): void {
  const answer = problemResponseOf(error);
  response.writeHead(answer.status, answer.headers.flat());
  response.end(answer.body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
