import type { NextFunction, Request, Response } from 'express';
import { createApiKeyVerifier, presentedKeyId } from '@ledger/runtime';

/** `Authorization: Bearer <key>` when keys are configured (API.md); a no-op when none are. */
export function authMiddleware(apiKeys: readonly string[]) {
  const verify = createApiKeyVerifier(apiKeys);
  return function authenticate(request: Request, response: Response, next: NextFunction): void {
    const refusal = verify(request.get('authorization'));
    if (refusal === undefined) {
      next();
      return;
    }
    response.setHeader('WWW-Authenticate', refusal.challenge);
    next(refusal.error);
  };
}

/** The rate-limit identity of a request: its API key (hashed) or, with auth off, its address. */
export function clientKeyOf(request: Request, authEnabled: boolean): string {
  if (authEnabled) return `key:${presentedKeyId(request.get('authorization'))}`;
  return `addr:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
}
