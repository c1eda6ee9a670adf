import type { NextFunction, Request, Response } from 'express';
import {
  anonymousPrincipal,
  isApiKeyRefusal,
  rateLimitKeyOf,
  requireScope,
  type ApiKeys,
  type ApiScope,
  type Principal,
} from '@ledger/runtime';
import { accountChangeActions } from '../validation/accountChangeValidator.ts';

const principalKey = 'ledgerPrincipal';

/**
 * `Authorization: Bearer <key>` when keys are on; with keys off every request acts as
 * runtime's anonymous principal. The principal is kept on the response for the routes' tenant
 * checks and the rate limit; the key itself is never kept.
 */
export function authMiddleware(apiKeys: ApiKeys) {
  return function authenticate(request: Request, response: Response, next: NextFunction): void {
    if (!apiKeys.enabled) {
      setPrincipal(response, anonymousPrincipal);
      next();
      return;
    }
    const result = apiKeys.authenticate(request.get('authorization'));
    if (isApiKeyRefusal(result)) {
      next(result); // a 401 carrying its WWW-Authenticate challenge
      return;
    }
    setPrincipal(response, result);
    next();
  };
}

/**
 * The scope each /v1 route needs, in one table: reads `accounts:read`, opening an account and
 * changing one (freeze, unfreeze, close, metadata) `accounts:write`, transfers (single, batch,
 * reversals, posts and voids) `transfers:write`. Other paths need none here and end in the 404.
 */
export function scopeFor(method: string, path: string): ApiScope | undefined {
  if (method === 'GET' || method === 'HEAD') return 'accounts:read';
  if (method !== 'POST') return undefined;
  if (path === '/accounts' || accountActionPath.test(path)) return 'accounts:write';
  if (path === '/transfers' || path === '/transfers/batch') return 'transfers:write';
  if (transferActionPath.test(path)) return 'transfers:write';
  return undefined;
}

/**
 * `/transfers/{id}/reverse`, `…/post` and `…/void`, the id still encoded (express decodes it
 * later, for the route).
 */
const transferActionPath = /^\/transfers\/[^/]+\/(?:reverse|post|void)$/;

/**
 * `/accounts/{id}/freeze`, `…/unfreeze`, `…/close` and `…/metadata` (the routes' own table), the
 * id still encoded.
 */
const accountActionPath = new RegExp(
  `^/accounts/[^/]+/(?:${Object.keys(accountChangeActions).join('|')})$`,
);

/** 403 `forbidden` before the body is read when the key lacks the route's scope. */
export function scopeMiddleware() {
  return function checkScope(request: Request, response: Response, next: NextFunction): void {
    const scope = scopeFor(request.method, request.path);
    next(scope === undefined ? undefined : requireScope(principalOf(response), scope));
  };
}

function setPrincipal(response: Response, principal: Principal): void {
  (response.locals as Record<string, unknown>)[principalKey] = principal;
}

/** Who the request acts for (set by authMiddleware, which every /v1 request passes first). */
export function principalOf(response: Response): Principal {
  const principal = (response.locals as Record<string, unknown>)[principalKey];
  if (principal === undefined) throw new Error('authMiddleware did not run');
  return principal as Principal;
}

/** The rate-limit identity of a request: its key's id or, with keys off, its address. */
export function clientKeyOf(request: Request, response: Response): string {
  return rateLimitKeyOf(principalOf(response), request.ip ?? request.socket.remoteAddress);
}
