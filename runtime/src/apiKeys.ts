import { unwatchFile, watchFile } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { apiKeyDigest, apiKeyIdOf, readApiKeyFile, type ApiKeyRecord } from './apiKeyFile.ts';
import { unrestrictedPrincipal, type Principal } from './authorization.ts';
import { LedgerError } from './errors.ts';
import { listFromEnv, stringFromEnv } from './limits.ts';
import type { Logger } from './logger.ts';

/** How many LEDGER_API_KEYS a service accepts (each is compared on every request). */
export const apiKeysMax = 64;
/** How often a service looks at the key file for changes: a revoked key stops working within it. */
export const apiKeysReloadIntervalMs = 2_000;

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

/** Why a request's `Authorization` header was refused, with the RFC 6750 challenge to send. */
export interface ApiKeyRefusal {
  readonly error: LedgerError;
  readonly challenge: 'Bearer' | 'Bearer error="invalid_token"';
}

/**
 * Where a service's keys come from: LEDGER_API_KEYS (plaintext, comma-separated, each with every
 * scope and no tenant: the compatible form) and LEDGER_API_KEYS_FILE (the keys CLI's file).
 * Either one turns authentication on; a configured file with no usable key refuses everything.
 */
export interface ApiKeysConfig {
  readonly plaintext: readonly string[];
  readonly file: string | undefined;
}

export function readApiKeysConfig(env: NodeJS.ProcessEnv): ApiKeysConfig {
  const file = stringFromEnv(env, 'LEDGER_API_KEYS_FILE', '');
  return {
    plaintext: listFromEnv(env, 'LEDGER_API_KEYS', apiKeysMax),
    file: file === '' ? undefined : file,
  };
}

/** What a service logs about its authentication at start: where keys come from, never a key. */
export function authenticationMode(config: ApiKeysConfig): string {
  const sources = [
    ...(config.plaintext.length > 0 ? ['LEDGER_API_KEYS'] : []),
    ...(config.file === undefined ? [] : ['LEDGER_API_KEYS_FILE']),
  ];
  return sources.length === 0 ? 'off' : `api-keys (${sources.join(', ')})`;
}

/**
 * `Authorization: Bearer <key>` on every /v1 request when keys are on, for both APIs and
 * all their paths (express, the lean node:http routes, the WebSocket upgrade) and the ops routes.
 * A file key (`lk_<id>_…`) is found by its id and compared as a SHA-256 digest with
 * timingSafeEqual; a plaintext key is compared with every LEDGER_API_KEYS digest, so neither the
 * match position nor the key length leaks through timing. The key itself is never kept, logged
 * or returned: a principal carries the key's id only.
 */
export interface ApiKeys {
  /** False when no key is configured: every request is runtime's anonymous principal. */
  readonly enabled: boolean;
  authenticate(authorization: string | undefined): Principal | ApiKeyRefusal;
  /** Swaps the key file's keys for a newer version of the file; plaintext keys stay. */
  replaceFileKeys(records: readonly ApiKeyRecord[]): void;
}

export function isApiKeyRefusal(result: Principal | ApiKeyRefusal): result is ApiKeyRefusal {
  return 'error' in result;
}

interface FileKey {
  readonly digest: Buffer;
  readonly principal: Principal;
}

/** `file` undefined: no key file configured; an empty array: a file without keys. */
export function createApiKeys(sources: {
  readonly plaintext?: readonly string[];
  readonly file?: readonly ApiKeyRecord[];
}): ApiKeys {
  const plaintext = sources.plaintext ?? [];
  if (plaintext.length > apiKeysMax) throw new Error(`more than ${apiKeysMax} API keys configured`);
  const plaintextKeys = plaintext.map((key) => {
    const digest = apiKeyDigest(key);
    return { digest, principal: unrestrictedPrincipal(`env-${digest.toString('hex', 0, 6)}`) };
  });
  let fileKeys = indexFileKeys(sources.file ?? []);
  const enabled = plaintextKeys.length > 0 || sources.file !== undefined;

  return {
    enabled,
    replaceFileKeys(records) {
      fileKeys = indexFileKeys(records);
    },
    authenticate(authorization) {
      const presented = bearerPattern.exec(authorization ?? '')?.[1];
      if (presented === undefined) {
        return {
          error: new LedgerError('unauthorized', 'send Authorization: Bearer <API key>'),
          challenge: 'Bearer',
        };
      }
      const presentedDigest = apiKeyDigest(presented);
      const id = apiKeyIdOf(presented);
      const fileKey = id === undefined ? undefined : fileKeys.get(id);
      if (fileKey !== undefined && timingSafeEqual(fileKey.digest, presentedDigest)) {
        return fileKey.principal;
      }
      let found: Principal | undefined;
      for (const key of plaintextKeys) {
        if (timingSafeEqual(key.digest, presentedDigest)) found = key.principal;
      }
      return (
        found ?? {
          error: new LedgerError('unauthorized', 'the API key is not valid'),
          challenge: 'Bearer error="invalid_token"',
        }
      );
    },
  };
}

/** Revoked keys are left out: they fail like an unknown key. */
function indexFileKeys(records: readonly ApiKeyRecord[]): ReadonlyMap<string, FileKey> {
  const keys = new Map<string, FileKey>();
  for (const record of records) {
    if (record.revokedAt !== undefined) continue;
    keys.set(record.id, {
      digest: Buffer.from(record.hash.slice('sha256:'.length), 'hex'),
      principal: {
        keyId: record.id,
        scopes: new Set(record.scopes),
        accountPrefix: record.accountPrefix,
      },
    });
  }
  return keys;
}

export interface OpenedApiKeys {
  readonly apiKeys: ApiKeys;
  /** Stops watching the key file. */
  close(): void;
}

/**
 * A service's keys at start-up: the key file is read now (a missing or bad file stops the start)
 * and polled every apiKeysReloadIntervalMs; a changed file that reads well replaces the keys, so
 * a revoked key stops working within that interval, without a restart. A changed file that does
 * not read keeps the keys in force and logs why.
 */
export function openApiKeys(config: ApiKeysConfig, logger: Logger): OpenedApiKeys {
  const path = config.file;
  const apiKeys = createApiKeys({
    plaintext: config.plaintext,
    ...(path === undefined ? {} : { file: readApiKeyFile(path) }),
  });
  if (path === undefined) return { apiKeys, close: () => undefined };
  const reload = () => {
    try {
      const records = readApiKeyFile(path);
      apiKeys.replaceFileKeys(records);
      logger.info('API key file reloaded', {
        keys: records.filter((record) => record.revokedAt === undefined).length,
      });
    } catch (error) {
      logger.warn('API key file changed but does not read: the previous keys stay in force', {
        error,
      });
    }
  };
  watchFile(path, { interval: apiKeysReloadIntervalMs, persistent: false }, (current, previous) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino) reload();
  });
  return { apiKeys, close: () => unwatchFile(path) };
}
