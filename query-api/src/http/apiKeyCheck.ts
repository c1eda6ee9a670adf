import { createHash, timingSafeEqual } from 'node:crypto';
import { LedgerError } from '@ledger/runtime';

/** How many API keys the service accepts (each is compared on every request). */
export const apiKeysMax = 64;

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * `Authorization: Bearer <key>` on every /v1 request when keys are configured (API.md), shared
 * by the lean path, the express routes and the WebSocket upgrade. Returns the refusal, or
 * undefined when the request may pass. Keys are compared as sha-256 digests with
 * timingSafeEqual against every key, so neither the match position nor the length leaks.
 */
export type ApiKeyCheck = (authorization: string | undefined) => LedgerError | undefined;

export function createApiKeyCheck(apiKeys: readonly string[]): ApiKeyCheck {
  if (apiKeys.length > apiKeysMax) throw new Error(`more than ${apiKeysMax} API keys configured`);
  if (apiKeys.length === 0) return () => undefined;
  const digests = apiKeys.map(digestOf);
  return (authorization) => {
    const presented = bearerPattern.exec(authorization ?? '')?.[1];
    if (presented === undefined) {
      return new LedgerError('unauthorized', 'send Authorization: Bearer <API key>');
    }
    const presentedDigest = digestOf(presented);
    let known = false;
    for (const digest of digests) known = timingSafeEqual(digest, presentedDigest) || known;
    return known ? undefined : new LedgerError('unauthorized', 'the API key is not valid');
  };
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
