import { unwatchFile, watchFile, type Stats } from 'node:fs';
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
 * Every key is found by its public id (a file key's `lk_<id>_…`, a LEDGER_API_KEYS key's
 * `env-<digest prefix>`) and its SHA-256 digest compared with timingSafeEqual, so neither the
 * key nor its length leaks through timing. The key itself is never kept, logged or returned: a
 * principal carries the key's id only. A refusal is a 401 LedgerError carrying its RFC 6750
 * challenge (`problemResponseOf` sends it): `Bearer` without a key, `Bearer error="invalid_token"`
 * for a key that is not valid.
 */
export interface ApiKeys {
  /** False when no key is configured: every request is runtime's anonymous principal. */
  readonly enabled: boolean;
  authenticate(authorization: string | undefined): Principal | LedgerError;
  /** Swaps the key file's keys for a newer version of the file; plaintext keys stay. */
  replaceFileKeys(records: readonly ApiKeyRecord[]): void;
}

export function isApiKeyRefusal(result: Principal | LedgerError): result is LedgerError {
  return result instanceof LedgerError;
}

interface KnownKey {
  readonly digest: Buffer;
  readonly principal: Principal;
}

/** The id a key is found by: a file key's own, else (LEDGER_API_KEYS) a prefix of its digest. */
function lookupIdOf(key: string, digest: Buffer): string {
  return apiKeyIdOf(key) ?? plaintextKeyIdOf(digest);
}

function plaintextKeyIdOf(digest: Buffer): string {
  return `env-${digest.toString('hex', 0, 6)}`;
}

/** `file` undefined: no key file configured; an empty array: a file without keys. */
export function createApiKeys(sources: {
  readonly plaintext?: readonly string[];
  readonly file?: readonly ApiKeyRecord[];
}): ApiKeys {
  const plaintext = sources.plaintext ?? [];
  if (plaintext.length > apiKeysMax) throw new Error(`more than ${apiKeysMax} API keys configured`);
  const plaintextKeys = new Map<string, KnownKey>();
  for (const key of plaintext) {
    const digest = apiKeyDigest(key);
    plaintextKeys.set(lookupIdOf(key, digest), {
      digest,
      principal: unrestrictedPrincipal(plaintextKeyIdOf(digest)),
    });
  }
  let keys = withFileKeys(plaintextKeys, sources.file ?? []);

  return {
    enabled: plaintextKeys.size > 0 || sources.file !== undefined,
    replaceFileKeys(records) {
      keys = withFileKeys(plaintextKeys, records);
    },
    authenticate(authorization) {
      const presented = bearerPattern.exec(authorization ?? '')?.[1];
      if (presented === undefined) {
        return new LedgerError('unauthorized', 'send Authorization: Bearer <API key>', {
          challenge: 'Bearer',
        });
      }
      const digest = apiKeyDigest(presented);
      const key = keys.get(lookupIdOf(presented, digest));
      if (key !== undefined && timingSafeEqual(key.digest, digest)) return key.principal;
      return new LedgerError('unauthorized', 'the API key is not valid', {
        challenge: 'Bearer error="invalid_token"',
      });
    },
  };
}

/** The plaintext keys and the file's; revoked keys are left out: they fail like unknown ones. */
function withFileKeys(
  plaintextKeys: ReadonlyMap<string, KnownKey>,
  records: readonly ApiKeyRecord[],
): ReadonlyMap<string, KnownKey> {
  const keys = new Map(plaintextKeys);
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
  // Polls the file's stat alone; it is read and parsed again only when it changed.
  const onStat = (current: Stats, previous: Stats) => {
    const changed =
      current.mtimeMs !== previous.mtimeMs ||
      current.ino !== previous.ino ||
      current.size !== previous.size;
    if (changed) reload();
  };
  watchFile(path, { interval: apiKeysReloadIntervalMs, persistent: false }, onStat);
  // This listener only: services sharing a process (the tests) watch the same file.
  return { apiKeys, close: () => unwatchFile(path, onStat) };
}
