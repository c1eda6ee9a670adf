import type { NextFunction, Request, Response } from 'express';
import type { IdGenerator, Logger } from '@ledger/runtime';

/** What every handler knows about the request it serves: its correlation id and logger. */
export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
}

export const requestIdHeader = 'X-Request-Id';
/** An echoed id lands in our logs and headers: printable ASCII only, bounded. */
export const requestIdLengthMax = 128;
const requestIdPattern = new RegExp(`^[\\x21-\\x7e]{1,${requestIdLengthMax}}$`);

const contextKey = 'ledgerRequestContext';

/** Echoes the client's X-Request-Id (when sane) or generates one, on every response. */
export function requestContextMiddleware(deps: {
  readonly logger: Logger;
  readonly ids: IdGenerator;
}) {
  return function requestContext(request: Request, response: Response, next: NextFunction): void {
    const incoming = request.get(requestIdHeader);
    const requestId =
      incoming !== undefined && requestIdPattern.test(incoming) ? incoming : deps.ids();
    response.setHeader(requestIdHeader, requestId);
    const context: RequestContext = { requestId, log: deps.logger.child({ requestId }) };
    (response.locals as Record<string, unknown>)[contextKey] = context;
    next();
  };
}

export function contextOf(response: Response): RequestContext {
  const context = (response.locals as Record<string, unknown>)[contextKey];
  if (context === undefined) throw new Error('requestContextMiddleware did not run');
  return context as RequestContext;
}
