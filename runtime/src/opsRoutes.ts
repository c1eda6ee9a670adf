import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness.ts';

export interface OpsRoutesDeps {
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  /** False while draining on SIGTERM, so load balancers stop sending before we close. */
  readonly isAccepting?: () => boolean;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for every service, on plain node:http so the processor and
 * projector need no web framework. Returns false for any other path so callers can chain.
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
  return function handleOps(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      void checkReadiness().then(
        (report) => {
          const accepting = deps.isAccepting?.() ?? true;
          const ready = report.ready && accepting;
          sendJson(response, ready ? 200 : 503, {
            status: ready ? 'ready' : accepting ? 'not_ready' : 'draining',
            checks: report.checks,
          });
        },
        (error: unknown) => sendJson(response, 503, { status: 'not_ready', error: String(error) }),
      );
      return true;
    }
    if (path === '/metrics') {
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
