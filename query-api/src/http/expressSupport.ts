import type { NextFunction, Request, Response } from 'express';

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
