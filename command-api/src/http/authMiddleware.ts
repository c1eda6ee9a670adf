import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { LedgerError } from '@ledger/runtime';

/** How many API keys the service accepts (each is compared on every request). */
export const apiKeysMax = 64;

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * `Authorization: Bearer <key>` when keys are configured (API.md); a no-op when none are.
 * Keys are compared as sha-256 digests with timingSafeEqual, against every configured key, so
 * neither the match position nor the key length leaks through timing.
 */
export function authMiddleware(apiKeys: readonly string[]) {
  if (apiKeys.length > apiKeysMax) throw new Error(`more than ${apiKeysMax} API keys configured`);
  const digests = apiKeys.map(digestOf);
  return function authenticate(request: Request, response: Response, next: NextFunction): void {
    if (digests.length === 0) {
      next();
      return;
    }
    const match = bearerPattern.exec(request.get('authorization') ?? '');
    const presented = match?.[1];
    if (presented === undefined) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      next(new LedgerError('unauthorized', 'send Authorization: Bearer <API key>'));
      return;
    }
    const presentedDigest = digestOf(presented);
    let known = false;
    for (const digest of digests) known = timingSafeEqual(digest, presentedDigest) || known;
    if (!known) {
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      next(new LedgerError('unauthorized', 'the API key is not valid'));
      return;
    }
    next();
  };
}

/** The rate-limit identity of a request: its API key (hashed) or, with auth off, its address. */
export function clientKeyOf(request: Request, authEnabled: boolean): string {
  if (authEnabled) {
    const presented = bearerPattern.exec(request.get('authorization') ?? '')?.[1] ?? '';
    return `key:${digestOf(presented).toString('hex').slice(0, 32)}`;
  }
  return `addr:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
