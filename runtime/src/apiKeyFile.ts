import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { isApiScope, type ApiScope } from './authorization.ts';

/**
 * The API key file (LEDGER_API_KEYS_FILE): one JSON document written by the keys CLI
 * (`npm run keys`) and read by every service at start-up and again when it changes.
 *
 * ```json
 * { "version": 1, "keys": [ { "id": "3f9c0a1b2c3d4e5f", "name": "acme reporting",
 *   "hash": "sha256:…64 hex…", "scopes": ["accounts:read"], "accountPrefix": "acme-",
 *   "createdAt": "2026-11-23T10:00:00.000Z", "revokedAt": null } ] }
 * ```
 *
 * A key is `lk_<id>_<secret>`: 16 hex characters of id (public: listed, logged, rate-limited
 * by) and 32 random bytes of secret. The file holds the SHA-256 of the whole key, never the key:
 * the CLI prints it once. A plain hash is enough because the secret has 256 random bits: salts
 * and slow hashes defend low-entropy passwords against guessing, which a 2^256 space already
 * rules out, and a fast hash keeps the check per request at ~1 µs. Revoked keys stay in the
 * file (with `revokedAt`) so `keys list` shows what existed.
 */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string | undefined;
  /** `sha256:<hex>` of the whole key. */
  readonly hash: string;
  readonly scopes: readonly ApiScope[];
  readonly accountPrefix: string | undefined;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly revokedAt: string | undefined;
}

export const apiKeyFileVersion = 1;
/** Keys the file may hold, revoked ones included (each is one Map entry in every service). */
export const apiKeyFileKeysMax = 10_000;
/** The file is read whole at start-up and on each change. */
export const apiKeyFileBytesMax = 4 * 1024 * 1024;
export const apiKeyNameLengthMax = 100;
/** An account id is at most 64 characters (@ledger/schemas idPattern): a longer prefix matches none. */
export const accountPrefixLengthMax = 64;

const idPattern = /^[0-9a-f]{16}$/;
const hashPattern = /^sha256:[0-9a-f]{64}$/;
const presentedKeyPattern = /^lk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;
/** Printable ASCII: what a prefix may hold here. The keys CLI checks it is an account id's start. */
const accountPrefixPattern = new RegExp(`^[\\x21-\\x7e]{1,${accountPrefixLengthMax}}$`);
const namePattern = new RegExp(`^[\\x20-\\x7e]{1,${apiKeyNameLengthMax}}$`);

/** A fresh key: its id and the secret to hand out once. */
export function generateApiKey(): { id: string; secret: string } {
  const id = randomBytes(8).toString('hex');
  return { id, secret: `lk_${id}_${randomBytes(32).toString('base64url')}` };
}

/** What the file stores for a key. */
export function hashApiKey(key: string): string {
  return `sha256:${apiKeyDigest(key).toString('hex')}`;
}

export function apiKeyDigest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The id a presented key names, when it has the key file's shape. */
export function apiKeyIdOf(presented: string): string | undefined {
  return presentedKeyPattern.exec(presented)?.[1];
}

/** Parses and checks the file's text; throws naming the first bad entry. */
export function parseApiKeyFile(text: string): ApiKeyRecord[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error('the API key file is not valid JSON');
  }
  if (!isObject(document) || document.version !== apiKeyFileVersion) {
    throw new Error(`the API key file must be an object with "version": ${apiKeyFileVersion}`);
  }
  const keys = document.keys;
  if (!Array.isArray(keys)) throw new Error('the API key file has no "keys" array');
  if (keys.length > apiKeyFileKeysMax) {
    throw new Error(`the API key file holds ${keys.length} keys, at most ${apiKeyFileKeysMax}`);
  }
  const seen = new Set<string>();
  return keys.map((entry: unknown, index) => {
    const record = parseRecord(entry, `keys[${index}]`);
    if (seen.has(record.id)) throw new Error(`keys[${index}]: id ${record.id} appears twice`);
    seen.add(record.id);
    return record;
  });
}

export function serializeApiKeyFile(records: readonly ApiKeyRecord[]): string {
  const keys = records.map((record) => ({
    id: record.id,
    name: record.name ?? null,
    hash: record.hash,
    scopes: record.scopes,
    accountPrefix: record.accountPrefix ?? null,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt ?? null,
  }));
  return `${JSON.stringify({ version: apiKeyFileVersion, keys }, null, 2)}\n`;
}

/** Reads and checks the file (bounded in size); throws with the path on any problem. */
export function readApiKeyFile(path: string): ApiKeyRecord[] {
  try {
    const { size } = statSync(path);
    if (size > apiKeyFileBytesMax) {
      throw new Error(`${size} bytes, at most ${apiKeyFileBytesMax}`);
    }
    return parseApiKeyFile(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`API key file ${path}: ${reason}`, { cause: error });
  }
}

/**
 * Replaces the file atomically (a temporary file, fsync, rename), readable by its owner only:
 * a service polling it sees the old or the new version, never half of one.
 */
export function writeApiKeyFile(path: string, records: readonly ApiKeyRecord[]): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, serializeApiKeyFile(records));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function parseRecord(entry: unknown, where: string): ApiKeyRecord {
  if (!isObject(entry)) throw new Error(`${where} is not an object`);
  const id = entry.id;
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new Error(`${where}.id must be 16 lower-case hex characters`);
  }
  const hash = entry.hash;
  if (typeof hash !== 'string' || !hashPattern.test(hash)) {
    throw new Error(`${where}.hash must be "sha256:" and 64 lower-case hex characters`);
  }
  const scopes = entry.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new Error(`${where}.scopes must be a non-empty array`);
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !isApiScope(scope)) {
      throw new Error(`${where}.scopes holds an unknown scope ${JSON.stringify(scope)}`);
    }
  }
  return {
    id,
    hash,
    scopes: [...new Set(scopes as ApiScope[])],
    name: optionalString(entry.name, namePattern, `${where}.name`),
    accountPrefix: optionalString(
      entry.accountPrefix,
      accountPrefixPattern,
      `${where}.accountPrefix`,
    ),
    createdAt: timestamp(entry.createdAt, `${where}.createdAt`),
    revokedAt:
      entry.revokedAt === null || entry.revokedAt === undefined
        ? undefined
        : timestamp(entry.revokedAt, `${where}.revokedAt`),
  };
}

function optionalString(value: unknown, pattern: RegExp, where: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`${where} must be null or a string matching ${pattern.source}`);
  }
  return value;
}

function timestamp(value: unknown, where: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new Error(`${where} must be an ISO 8601 timestamp`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
