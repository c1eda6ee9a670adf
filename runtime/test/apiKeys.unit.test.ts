import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  apiKeyIdOf,
  generateApiKey,
  hashApiKey,
  parseApiKeyFile,
  readApiKeyFile,
  serializeApiKeyFile,
  writeApiKeyFile,
  type ApiKeyRecord,
} from '../src/apiKeyFile.ts';
import {
  apiKeysReloadIntervalMs,
  authenticationMode,
  createApiKeys,
  isApiKeyRefusal,
  openApiKeys,
  readApiKeysConfig,
  type ApiKeys,
} from '../src/apiKeys.ts';
import {
  anonymousPrincipal,
  checkAccounts,
  maySeeRecord,
  rateLimitKeyOf,
  requireScope,
  type Principal,
} from '../src/authorization.ts';
import { createLogger } from '../src/logger.ts';

const directory = mkdtempSync(join(tmpdir(), 'ledger-keys-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function record(secret: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = apiKeyIdOf(secret);
  assert.ok(id !== undefined, 'a generated key has the file key shape');
  return {
    id,
    name: 'test',
    hash: hashApiKey(secret),
    scopes: ['accounts:read'],
    accountPrefix: undefined,
    createdAt: '2026-11-23T10:00:00.000Z',
    revokedAt: undefined,
    ...overrides,
  };
}

function principalOf(apiKeys: ApiKeys, secret: string | undefined): Principal {
  const result = apiKeys.authenticate(secret === undefined ? undefined : `Bearer ${secret}`);
  if (isApiKeyRefusal(result)) assert.fail(`refused: ${result.detail}`);
  return result;
}

/** The 401 and the RFC 6750 challenge it carries. */
function refusalOf(apiKeys: ApiKeys, authorization: string | undefined) {
  const result = apiKeys.authenticate(authorization);
  if (!isApiKeyRefusal(result)) assert.fail('the key was accepted');
  return { error: result, challenge: result.options.challenge };
}

void describe('API key file', () => {
  void it('given a generated key, when its record is written and read back, then only the hash is stored and the record round-trips', () => {
    const { id, secret } = generateApiKey();
    assert.match(secret, /^lk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(apiKeyIdOf(secret), id);
    const written = record(secret, { scopes: ['transfers:write'], accountPrefix: 'acme-' });
    const path = join(directory, 'roundtrip.json');
    writeApiKeyFile(path, [written]);
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes(secret.slice(20)), 'the secret is not in the file');
    assert.equal(statSync(path).mode & 0o777, 0o600, 'readable by its owner only');
    assert.deepEqual(readApiKeyFile(path), [written]);
  });

  void it('given malformed files, when parsed, then each is refused naming what is wrong', () => {
    const good = JSON.parse(serializeApiKeyFile([record(generateApiKey().secret)])) as {
      keys: Record<string, unknown>[];
    };
    const withKey = (change: Record<string, unknown>) =>
      JSON.stringify({ version: 1, keys: [{ ...good.keys[0], ...change }] });
    for (const [text, reason] of [
      ['not json', /not valid JSON/],
      ['{"version":2,"keys":[]}', /"version": 1/],
      ['{"version":1}', /no "keys" array/],
      [withKey({ id: 'ABC' }), /keys\[0\]\.id/],
      [withKey({ hash: 'md5:00' }), /keys\[0\]\.hash/],
      [withKey({ scopes: [] }), /keys\[0\]\.scopes must be a non-empty/],
      [withKey({ scopes: ['accounts:delete'] }), /unknown scope "accounts:delete"/],
      [withKey({ accountPrefix: '' }), /keys\[0\]\.accountPrefix/],
      [withKey({ createdAt: 'yesterday' }), /keys\[0\]\.createdAt/],
      [JSON.stringify({ version: 1, keys: [good.keys[0], good.keys[0]] }), /appears twice/],
    ] as const) {
      assert.throws(() => parseApiKeyFile(text), reason, text);
    }
  });

  void it('given a missing file, when read, then the error names the path', () => {
    const path = join(directory, 'missing.json');
    assert.throws(() => readApiKeyFile(path), new RegExp(`API key file ${path}`));
  });
});

void describe('API key authentication', () => {
  void it('given no keys configured, when asked, then authentication is off', () => {
    const apiKeys = createApiKeys({});
    assert.equal(apiKeys.enabled, false);
    assert.equal(authenticationMode(readApiKeysConfig({})), 'off');
  });

  void it('given a configured key file without keys, when a request comes, then keys are on and every key is refused', () => {
    const apiKeys = createApiKeys({ file: [] });
    assert.equal(apiKeys.enabled, true);
    assert.equal(
      refusalOf(apiKeys, `Bearer ${generateApiKey().secret}`).error.code,
      'unauthorized',
    );
  });

  void it('given file keys, when presented, then the principal carries the id, scopes and prefix, never the key', () => {
    const { secret } = generateApiKey();
    const stored = record(secret, {
      scopes: ['accounts:read', 'transfers:write'],
      accountPrefix: 'acme-',
    });
    const apiKeys = createApiKeys({ file: [stored] });
    const principal = principalOf(apiKeys, secret);
    assert.equal(principal.keyId, stored.id);
    assert.deepEqual([...principal.scopes], ['accounts:read', 'transfers:write']);
    assert.equal(principal.accountPrefix, 'acme-');
    assert.ok(!JSON.stringify(principal).includes(secret));
  });

  void it('given a missing, malformed, unknown, altered or revoked key, when presented, then 401 with the RFC 6750 challenge', () => {
    const { secret } = generateApiKey();
    const revoked = generateApiKey().secret;
    const apiKeys = createApiKeys({
      file: [record(secret), record(revoked, { revokedAt: '2026-11-23T11:00:00.000Z' })],
    });
    const missing = refusalOf(apiKeys, undefined);
    assert.equal(missing.error.status, 401);
    assert.equal(missing.challenge, 'Bearer');
    assert.equal(refusalOf(apiKeys, `Basic ${secret}`).challenge, 'Bearer');
    for (const presented of [
      `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
      generateApiKey().secret,
      revoked,
      'something-else',
    ]) {
      const refusal = refusalOf(apiKeys, `Bearer ${presented}`);
      assert.equal(refusal.error.code, 'unauthorized');
      assert.equal(refusal.challenge, 'Bearer error="invalid_token"');
    }
  });

  void it('given LEDGER_API_KEYS, when one is presented, then it acts with every scope and no tenant, named by a digest prefix', () => {
    const config = readApiKeysConfig({ LEDGER_API_KEYS: 'plain-1, plain-2' });
    assert.deepEqual(config, { plaintext: ['plain-1', 'plain-2'], file: undefined });
    assert.equal(authenticationMode(config), 'api-keys (LEDGER_API_KEYS)');
    const apiKeys = createApiKeys(config);
    const principal = principalOf(apiKeys, 'plain-2');
    assert.match(principal.keyId ?? '', /^env-[0-9a-f]{12}$/);
    assert.ok(!(principal.keyId ?? '').includes('plain'));
    assert.equal(principal.accountPrefix, undefined);
    assert.equal(requireScope(principal, 'ops:read'), undefined);
    assert.notEqual(principalOf(apiKeys, 'plain-1').keyId, principal.keyId);
  });

  void it('given both sources, when keys are presented, then each source answers for its own keys', () => {
    const { secret } = generateApiKey();
    const apiKeys = createApiKeys({ plaintext: ['plain'], file: [record(secret)] });
    assert.equal(principalOf(apiKeys, 'plain').accountPrefix, undefined);
    assert.equal(principalOf(apiKeys, secret).keyId, apiKeyIdOf(secret));
    const copied = generateApiKey().secret; // a file-shaped key given as LEDGER_API_KEYS
    assert.match(principalOf(createApiKeys({ plaintext: [copied] }), copied).keyId ?? '', /^env-/);
  });

  void it('given a running service, when its key file is rewritten with a key revoked, then the key is refused within the reload interval, and a broken rewrite keeps the keys in force', async () => {
    const path = join(directory, 'reload.json');
    const kept = generateApiKey().secret;
    const revoked = generateApiKey().secret;
    const keptRecord = record(kept);
    const revokedRecord = record(revoked);
    writeApiKeyFile(path, [keptRecord, revokedRecord]);
    const lines: string[] = [];
    const opened = openApiKeys(
      { plaintext: [], file: path },
      createLogger({ write: (line) => lines.push(line) }),
    );
    try {
      principalOf(opened.apiKeys, revoked);
      writeApiKeyFile(path, [
        keptRecord,
        { ...revokedRecord, revokedAt: '2026-11-23T12:00:00.000Z' },
      ]);
      await waitFor(() => isApiKeyRefusal(opened.apiKeys.authenticate(`Bearer ${revoked}`)));
      principalOf(opened.apiKeys, kept);

      writeFileSync(path, '{ broken');
      await waitFor(() => lines.some((line) => line.includes('does not read')));
      principalOf(opened.apiKeys, kept);
      assert.ok(lines.every((line) => !line.includes(kept) && !line.includes(revoked)));
    } finally {
      opened.close();
    }
  });

  void it('given a bad key file at start-up, when opened, then the start stops', () => {
    const path = join(directory, 'bad-start.json');
    writeFileSync(path, '[]');
    assert.throws(() => openApiKeys({ plaintext: [], file: path }, createLogger()), /version/);
  });
});

void describe('authorization rules', () => {
  const tenant: Principal = {
    keyId: 'k1',
    scopes: new Set(['accounts:read']),
    accountPrefix: 'acme-',
  };

  void it('given a key without a scope, when the scope is required, then 403 forbidden naming it', () => {
    const refusal = requireScope(tenant, 'transfers:write');
    assert.equal(refusal?.code, 'forbidden');
    assert.equal(refusal?.status, 403);
    assert.match(refusal?.detail ?? '', /transfers:write/);
    assert.equal(requireScope(tenant, 'accounts:read'), undefined);
    assert.equal(requireScope(anonymousPrincipal, 'ops:read'), undefined);
  });

  void it('given a tenant, when a request names accounts, then every one must start with its prefix', () => {
    assert.equal(
      checkAccounts(tenant, [
        ['fromAccountId', 'acme-1'],
        ['toAccountId', 'acme-2'],
      ]),
      undefined,
    );
    const refusal = checkAccounts(tenant, [
      ['fromAccountId', 'acme-1'],
      ['toAccountId', 'other-2'],
    ]);
    assert.equal(refusal?.code, 'forbidden');
    assert.match(refusal?.detail ?? '', /^toAccountId is outside/);
    assert.equal(checkAccounts(anonymousPrincipal, [['accountId', 'anything']]), undefined);
  });

  void it('given a tenant, when a record by id names accounts, then it is visible when any is inside', () => {
    assert.equal(maySeeRecord(tenant, ['funding', 'acme-1']), true);
    assert.equal(maySeeRecord(tenant, ['funding', 'other']), false);
    assert.equal(maySeeRecord(anonymousPrincipal, ['funding']), true);
  });

  void it('given keys on or off, when rate-limited, then by key id or by address', () => {
    assert.equal(rateLimitKeyOf(tenant, '10.0.0.1'), 'key:k1');
    assert.equal(rateLimitKeyOf(anonymousPrincipal, '10.0.0.1'), 'addr:10.0.0.1');
  });
});

void describe('log redaction', () => {
  void it('given credentials among logged fields, when written, then they are redacted at any depth', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    logger.info('request', {
      headers: { Authorization: 'Bearer lk_secret', accept: 'json' },
      apiKey: 'lk_other',
    });
    assert.equal(lines.length, 1);
    assert.ok(!(lines[0] ?? '').includes('lk_'), lines[0]);
    assert.match(lines[0] ?? '', /"accept":"json"/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + apiKeysReloadIntervalMs * 4;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
