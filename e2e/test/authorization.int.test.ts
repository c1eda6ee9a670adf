import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { apiKeysReloadIntervalMs } from '@ledger/runtime';
import type { HttpResult } from '@ledger/testing/httpClient';
import {
  assertProblem,
  call,
  createKey,
  openStream,
  revokeKey,
  startServices,
  topicMessages,
  type LedgerServices,
  type StreamClient,
} from './authorizationSupport.ts';

/**
 * API keys end to end: the real command API, ledger processor, projector and query API (their
 * production wiring, in-process, against the test's own topics, schema and Redis prefix), all
 * reading one key file written by the keys command's own code, plus a plaintext LEDGER_API_KEYS
 * key. Covers authentication (401), scopes and tenants (403, nothing published), the stream, the
 * ops routes of all four services, and revocation while they run.
 */
void describe('API keys across the command API, processor, projector and query API', () => {
  let env: LedgerTestEnvironment;
  let keyDir: string;
  let keyFile: string;
  let services: LedgerServices;
  let cmd: string;
  let query: string;
  const plaintext = `plain-${randomUUID()}`;
  let writer: string;
  let reader: string;
  let ops: string;
  let revokee: { key: string; id: string };
  /** Commands the command API accepted (each one message on the commands topic). */
  let published = 0;
  let acme1Command = '';
  const wait = { prefer: 'wait=10' };
  const transfer = (from: string, to: string, amount: string, transferId = randomUUID()) => ({
    transferId,
    fromAccountId: from,
    toAccountId: to,
    amount,
    currency: 'USD',
  });
  const nothingMorePublished = async () =>
    assert.equal(await topicMessages(env.kafka, env.topics.commands), published);

  before(async () => {
    env = await createLedgerTestEnvironment('authorization');
    keyDir = mkdtempSync(join(tmpdir(), 'ledger-keys-it-'));
    keyFile = join(keyDir, 'api-keys.json');
    writer = createKey(keyFile, ['accounts:write', 'transfers:write'], 'acme-').key;
    reader = createKey(keyFile, ['accounts:read'], 'acme-').key;
    ops = createKey(keyFile, ['ops:read']).key;
    revokee = createKey(keyFile, ['accounts:read', 'ops:read']);
    services = await startServices(env, {
      LEDGER_API_KEYS_FILE: keyFile,
      LEDGER_API_KEYS: plaintext,
    });
    ({ cmd, query } = services.urls);
  });

  after(async () => {
    await services?.stop();
    await env?.teardown();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  void it('given keys are on, when a request carries no key or an unknown one, then both APIs and the stream answer 401 with WWW-Authenticate', async () => {
    const unknown = `lk_0123456789abcdef_${'A'.repeat(43)}`;
    const open = { body: { accountId: 'acme-x', currency: 'USD' } };
    const missing = await call(cmd, 'POST', '/v1/accounts', undefined, open);
    assertProblem(missing, 401, 'unauthorized');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const invalid = await call(cmd, 'POST', '/v1/accounts', unknown, open);
    assertProblem(invalid, 401, 'unauthorized');
    assert.equal(invalid.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assertProblem(await call(cmd, 'POST', '/v1/accounts', 'not-a-key', open), 401, 'unauthorized');

    for (const key of [undefined, unknown]) {
      const read = await call(query, 'GET', '/v1/accounts/acme-1/balance', key);
      assertProblem(read, 401, 'unauthorized');
      assert.match(read.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(await openStream(services.queryApi.port, key), 401);
    }
    await nothingMorePublished();
  });

  void it('given a tenant writer key, when it opens acme accounts and transfers between them, then 202, and 201 applied with Prefer: wait', async () => {
    const first = await call(cmd, 'POST', '/v1/accounts', writer, {
      body: { accountId: 'acme-1', currency: 'USD', overdraftLimit: '1000' },
    });
    assert.equal(first.status, 202, first.text);
    acme1Command = String(first.body.commandId);
    const second = await call(cmd, 'POST', '/v1/accounts', writer, {
      body: { accountId: 'acme-2', currency: 'USD' },
      headers: wait,
    });
    assert.equal(second.status, 201, second.text);
    published += 2;
    // acme-1 may sit on another partition: its opening is decided before money moves from it.
    await waitUntil(
      async () =>
        (await call(cmd, 'GET', `/v1/commands/${acme1Command}`, plaintext)).body.status ===
        'applied',
      'acme-1 opened',
      20_000,
    );

    const accepted = await call(cmd, 'POST', '/v1/transfers', writer, {
      body: transfer('acme-1', 'acme-2', '100'),
    });
    assert.equal(accepted.status, 202, accepted.text);
    const applied = await call(cmd, 'POST', '/v1/transfers', writer, {
      body: transfer('acme-1', 'acme-2', '50'),
      headers: wait,
    });
    published += 2;
    assert.equal(applied.status, 201, applied.text);
    assert.equal(applied.body.status, 'applied');
    assert.deepEqual(applied.body.balances, { 'acme-1': '-150', 'acme-2': '150' });
  });

  void it('given the tenant writer key, when it opens or transfers with a globex account, then 403 forbidden and nothing is published', async () => {
    const refused = [
      await call(cmd, 'POST', '/v1/accounts', writer, {
        body: { accountId: 'globex-1', currency: 'USD' },
        headers: wait,
      }),
      await call(cmd, 'POST', '/v1/transfers', writer, {
        body: transfer('acme-1', 'globex-1', '1'),
      }),
      await call(cmd, 'POST', '/v1/transfers', writer, {
        body: transfer('globex-1', 'acme-1', '1'),
      }),
      await call(cmd, 'POST', '/v1/transfers/batch', writer, {
        body: {
          transfers: [transfer('acme-1', 'acme-2', '1'), transfer('acme-2', 'globex-1', '1')],
        },
      }),
    ];
    for (const result of refused) assertProblem(result, 403, 'forbidden');
    await nothingMorePublished();
    const globex = await call(query, 'GET', '/v1/accounts/globex-1', plaintext);
    assertProblem(globex, 404, 'not_found');
    const rows = await env.pool.query(`select 1 from accounts where id like 'globex-%'`);
    assert.equal(rows.rowCount, 0, 'the account never appears');
  });

  void it('given a tenant reader key, when it reads, then its accounts are 200, another tenant is 403; the writer reading and the reader posting are 403', async () => {
    await waitUntil(
      async () => {
        const answer = await call(query, 'GET', '/v1/accounts/acme-1/balance', reader);
        return answer.status === 200 && answer.body.balance === '-150';
      },
      'the reader to see acme-1 at -150',
      20_000,
    );
    const history = await call(query, 'GET', '/v1/accounts/acme-2/transactions', reader);
    assert.equal(history.status, 200, history.text);
    for (const path of ['/v1/accounts/globex-1/balance', '/v1/accounts/globex-1']) {
      assertProblem(await call(query, 'GET', path, reader), 403, 'forbidden');
    }
    assertProblem(
      await call(query, 'GET', '/v1/accounts/acme-1/balance', writer),
      403,
      'forbidden',
    );
    const state = await call(cmd, 'GET', `/v1/commands/${acme1Command}`, writer);
    assertProblem(state, 403, 'forbidden');
    const posts = [
      await call(cmd, 'POST', '/v1/transfers', reader, { body: transfer('acme-1', 'acme-2', '1') }),
      await call(cmd, 'POST', '/v1/accounts', reader, {
        body: { accountId: 'acme-3', currency: 'USD' },
      }),
    ];
    for (const result of posts) assertProblem(result, 403, 'forbidden');
    await nothingMorePublished();
  });

  void it('given the reader key on the stream, when it follows acme-1 and a transfer moves it, then it gets the push; a globex subscription gets the forbidden frame', async () => {
    assert.equal(
      await openStream(services.queryApi.port, writer),
      403,
      'the writer lacks accounts:read',
    );
    const stream = (await openStream(services.queryApi.port, reader)) as StreamClient;
    try {
      assert.equal(typeof stream, 'object', 'the reader key opens the stream');
      stream.send({ subscribe: ['acme-1'] });
      await stream.waitFor('subscribed', (frame) => frame.type === 'subscribed');
      const snapshot = await stream.waitFor('the snapshot', (frame) => frame.type === 'balance');
      assert.deepEqual([snapshot.accountId, snapshot.balance], ['acme-1', '-150']);

      const from = stream.frames.length;
      const moved = await call(cmd, 'POST', '/v1/transfers', writer, {
        body: transfer('acme-2', 'acme-1', '25'),
        headers: wait,
      });
      published += 1;
      assert.equal(moved.status, 201, moved.text);
      const push = await stream.waitFor(
        'the push after the transfer',
        (frame) => frame.type === 'balance' && frame.balance === '-125',
        from,
      );
      assert.equal(push.accountId, 'acme-1');
      assert.ok(Number(push.version) > Number(snapshot.version));

      const before = stream.frames.length;
      stream.send({ subscribe: ['globex-1'] });
      const refused = await stream.waitFor(
        'the forbidden frame',
        (f) => f.type === 'error',
        before,
      );
      assert.equal(refused.code, 'forbidden');
    } finally {
      if (typeof stream === 'object') await stream.close();
    }
  });

  void it('given the ops routes of all four services, when asked with and without ops:read, then /metrics needs it and /readyz shows its checks only to it', async () => {
    for (const [name, base] of Object.entries(services.urls)) {
      const anonymous = await call(base, 'GET', '/metrics', undefined);
      assertProblem(anonymous, 401, 'unauthorized');
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/, name);
      assertProblem(await call(base, 'GET', '/metrics', reader), 403, 'forbidden');
      const metrics = await call(base, 'GET', '/metrics', ops);
      assert.equal(metrics.status, 200, `${name}: ${metrics.text}`);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/, name);
      assert.match(metrics.text, /^# HELP /m, name);

      let open: HttpResult | undefined;
      await waitUntil(
        async () => (open = await call(base, 'GET', '/readyz', undefined)).status === 200,
        `${name} ready`,
        20_000,
      );
      assert.deepEqual(open?.body, { status: 'ready' }, `${name}: no details without a key`);
      const detailed = await call(base, 'GET', '/readyz', ops);
      assert.equal(detailed.status, 200, name);
      assert.ok(detailed.body.checks !== undefined, `${name}: checks for ops:read`);
    }
  });

  void it('given a plaintext LEDGER_API_KEYS key, when it writes, reads and scrapes, then it acts with every scope and no tenant', async () => {
    const opened = await call(cmd, 'POST', '/v1/accounts', plaintext, {
      body: { accountId: 'plain-1', currency: 'USD' },
      headers: wait,
    });
    published += 1;
    assert.equal(opened.status, 201, opened.text);
    const moved = await call(cmd, 'POST', '/v1/transfers', plaintext, {
      body: transfer('acme-1', 'plain-1', '10'),
      headers: wait,
    });
    published += 1;
    assert.equal(moved.status, 201, moved.text);
    await waitUntil(
      async () =>
        (await call(query, 'GET', '/v1/accounts/plain-1/balance', plaintext)).body.balance === '10',
      'plain-1 at 10 in the query API',
      20_000,
    );
    for (const base of [cmd, query]) {
      assert.equal((await call(base, 'GET', '/metrics', plaintext)).status, 200);
    }
    await nothingMorePublished();
  });

  void it('given keys revoked and created through the keys command while the services run, then within the reload interval the revoked key is 401 everywhere and the new one works', async () => {
    const targets = [
      () => call(query, 'GET', '/v1/accounts/acme-1/balance', revokee.key),
      () => call(cmd, 'GET', `/v1/commands/${acme1Command}`, revokee.key),
      () => call(services.urls.processor, 'GET', '/metrics', revokee.key),
      () => call(services.urls.projector, 'GET', '/metrics', revokee.key),
    ];
    for (const target of targets) assert.equal((await target()).status, 200);

    revokeKey(keyFile, revokee.id);
    const late = createKey(keyFile, ['accounts:read']).key;
    const deadline = apiKeysReloadIntervalMs * 3;
    await waitUntil(
      async () =>
        (await Promise.all(targets.map((target) => target()))).every((r) => r.status === 401),
      'the revoked key refused by every service',
      deadline,
    );
    await waitUntil(
      async () => (await call(query, 'GET', '/v1/accounts/acme-1', late)).status === 200,
      'the new key accepted',
      deadline,
    );
    const [queryRead] = targets;
    if (queryRead !== undefined) assertProblem(await queryRead(), 401, 'unauthorized');
    assert.equal((await call(query, 'GET', '/v1/accounts/acme-1', reader)).status, 200);
  });
});
