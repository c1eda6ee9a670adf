import type { NextFunction, Request, Response } from 'express';
import type { Logger, Principal } from '@ledger/runtime';
import type { AccountReader } from '../accountReader.ts';
import type { ReadModels } from '../postgres/readModels.ts';
import type { QueryAdmission } from './admission.ts';
import type { RecordRequest } from './httpMetrics.ts';

/** What the express part of the query API (expressApp.ts) and its routes are built from. */
export interface ExpressAppDeps {
  readonly reader: AccountReader;
  readonly readModels: ReadModels;
  readonly admission: QueryAdmission;
  readonly recordRequest: RecordRequest;
  readonly logger: Logger;
}

/** The id queryServer.ts put on the response before handing it to express. */
export function requestIdOfResponse(response: Response): string {
  const value = response.getHeader('X-Request-Id');
  return typeof value === 'string' ? value : '';
}

/** Express 4 does not catch a rejected handler promise: route it to the error handler. */
export function asyncRoute(handler: (request: Request, response: Response) => Promise<void>) {
  return (request: Request, response: Response, next: NextFunction) => {
    handler(request, response).catch(next);
  };
}

/** The raw query string of a request (express's parser is off). */
export function rawQueryOf(request: Request): string | undefined {
  const queryAt = request.originalUrl.indexOf('?');
  return queryAt === -1 ? undefined : request.originalUrl.slice(queryAt + 1);
}

const principalKey = 'ledgerPrincipal';

/** Kept by expressApp.ts's admission for the routes' tenant checks (never the key itself). */
export function setPrincipal(response: Response, principal: Principal): void {
  (response.locals as Record<string, unknown>)[principalKey] = principal;
}

export function principalOfResponse(response: Response): Principal {
  const principal = (response.locals as Record<string, unknown>)[principalKey];
  if (principal === undefined) throw new Error('the /v1 admission did not run');
  return principal as Principal;
}
