import { generateApiKey, hashApiKey, type ApiKeyRecord } from '../src/apiKeyFile.ts';
import type { ApiScope } from '../src/authorization.ts';

/** A key as the keys CLI makes it: the secret a client sends and the record the file holds. */
export interface TestApiKey {
  readonly secret: string;
  readonly record: ApiKeyRecord;
  /** `{ authorization: 'Bearer …' }`, for fetch. */
  readonly headers: Record<string, string>;
}

export function testApiKey(scopes: readonly ApiScope[], accountPrefix?: string): TestApiKey {
  const { id, secret } = generateApiKey();
  return {
    secret,
    headers: { authorization: `Bearer ${secret}` },
    record: {
      id,
      name: undefined,
      hash: hashApiKey(secret),
      scopes,
      accountPrefix,
      createdAt: '2026-11-23T10:00:00.000Z',
      revokedAt: undefined,
    },
  };
}
