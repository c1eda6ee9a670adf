import { createHash, timingSafeEqual } from 'node:crypto';
import { LedgerError } from './errors.ts';

/** How many API keys a service accepts (each is compared on every request). */
export const apiKeysMax = 64;

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

/** Why a request's `Authorization` header was refused, with the RFC 6750 challenge to send. */
export interface ApiKeyRefusal {
  readonly error: LedgerError;
  readonly challenge: 'Bearer' | 'Bearer error="invalid_token"';
}

/** Undefined when the request may pass; always undefined when no keys are configured. */
export type ApiKeyVerifier = (authorization: string | undefined) => ApiKeyRefusal | undefined;

/**
 * `Authorization: Bearer <key>` on every /v1 request when keys are configured (API.md), for
 * both APIs and all their paths (express, the lean node:http routes, the WebSocket upgrade).
 * Keys are compared as sha-256 digests with timingSafeEqual against every key, so neither the
 * match position nor the key length leaks through timing.
 */
export function createApiKeyVerifier(apiKeys: readonly string[]): ApiKeyVerifier {
  if (apiKeys.length > apiKeysMax) throw new Error(`more than ${apiKeysMax} API keys configured`);
  if (apiKeys.length === 0) return () => undefined;
  const digests = apiKeys.map(digestOf);
  return (authorization) => {
    const presented = bearerPattern.exec(authorization ?? '')?.[1];
    if (presented === undefined) {
      return {
        error: new LedgerError('unauthorized', 'send Authorization: Bearer <API key>'),
        challenge: 'Bearer',
      };
    }
    const presentedDigest = digestOf(presented);
    let known = false;
    for (const digest of digests) known = timingSafeEqual(digest, presentedDigest) || known;
    if (known) return undefined;
    return {
      error: new LedgerError('unauthorized', 'the API key is not valid'),
      challenge: 'Bearer error="invalid_token"',
    };
  };
}

/** A stable, non-reversible name for the key a request presents (e.g. to rate-limit by key). */
export function presentedKeyId(authorization: string | undefined): string {
  const presented = bearerPattern.exec(authorization ?? '')?.[1] ?? '';
  return digestOf(presented).toString('hex').slice(0, 32);
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
