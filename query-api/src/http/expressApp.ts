import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import { LedgerError, type Principal } from '@ledger/runtime';
import { registerAccountListRoute } from './accountListRoute.ts';
import { registerHistoryRoute } from './historyRoute.ts';
import type { RecordRequest } from './httpMetrics.ts';
import { requestIdOfResponse, setPrincipal, type ExpressAppDeps } from './expressSupport.ts';
import { failResponse, toLedgerError } from './httpSupport.ts';
import { registerTransferRoute } from './transferRoute.ts';

/**
 * Everything but the hot GETs: the account listing, the transactions page, transfer status, and the 404 for unknown
 * routes. The node:http server in queryServer.ts has already set X-Request-Id and tried the lean
 * path and the ops routes before a request gets here.
 */
export function createExpressApp(deps: ExpressAppDeps): Express {
  const app = express();
  app.disable('etag');
  app.disable('x-powered-by');
  // Routes parse the raw query string themselves (strict, shared with the lean path).
  app.set('query parser', false);
  app.use(recordDuration(deps.recordRequest));

  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  // The key (401), its scope (403) and the request limit (429), as on the lean path.
  app.use('/v1', (request: Request, response: Response, next: NextFunction) => {
    const pass = (principal: Principal | LedgerError) => {
      if (principal instanceof LedgerError) {
        next(principal);
        return;
      }
      setPrincipal(response, principal);
      next();
    };
    const admitted = deps.admission.admit(request, request.headers.authorization);
    if (admitted instanceof Promise) admitted.then(pass, next);
    else pass(admitted);
  });
  // Full paths on the app (no sub-router), so `request.route.path` is the whole template even
  // when the request ends in the error handler.
  registerAccountListRoute(app, deps);
  registerHistoryRoute(app, deps);
  registerTransferRoute(app, deps);

  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(new LedgerError('not_found', `no route ${request.method} ${request.path}`));
  });
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const requestId = requestIdOfResponse(response);
    const context = { requestId, method: request.method, path: request.path };
    failResponse(response, toLedgerError(error, deps.logger, context), requestId);
  });
  return app;
}

function recordDuration(recordRequest: RecordRequest) {
  return (request: Request, response: Response, next: NextFunction) => {
    const startedAtMs = performance.now();
    response.once('finish', () => {
      const routePath = (request as { route?: { path?: unknown } }).route?.path;
      const route = typeof routePath === 'string' ? routePath : 'unmatched';
      recordRequest(request.method, route, response.statusCode, startedAtMs);
    });
    next();
  };
}
