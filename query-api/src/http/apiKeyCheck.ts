import { createApiKeyVerifier, type LedgerError } from '@ledger/runtime';

/**
 * The API-key check of every /v1 request (runtime's verifier), shared by the lean path, the
 * express routes and the WebSocket upgrade: the refusal to answer, or undefined. query-api's
 * problem responses send their own `WWW-Authenticate: Bearer` (httpSupport.ts).
 */
export type ApiKeyCheck = (authorization: string | undefined) => LedgerError | undefined;

export function createApiKeyCheck(apiKeys: readonly string[]): ApiKeyCheck {
  const verify = createApiKeyVerifier(apiKeys);
  return (authorization) => verify(authorization)?.error;
}
