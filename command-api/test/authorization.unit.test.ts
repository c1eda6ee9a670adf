import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKeys, createSharedRateLimiter } from '@ledger/runtime';
import { testApiKey } from '../../runtime/test/apiKeyFixtures.ts';
import { startTestApp, type TestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';

const transfer = (transferId: string, fromAccountId: string, toAccountId: string) => ({
  transferId,
  fromAccountId,
  toAccountId,
  amount: '10',
  currency: 'USD',
});

/** API keys with scopes and tenants on the command API, over its in-memory fakes. */
void describe('command API authorization', () => {
  const reader = testApiKey(['accounts:read']);
  const mover = testApiKey(['transfers:write']);
  const acme = testApiKey(['accounts:read', 'accounts:write', 'transfers:write'], 'acme-');
  const ops = testApiKey(['ops:read']);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({
      apiKeys: createApiKeys({
        plaintext: ['legacy-key'],
        file: [reader.record, mover.record, acme.record, ops.record],
      }),
    });
  });
  after(() => app.close());

  void it('given a key without the route’s scope, when it calls, then 403 forbidden before anything is read or published', async () => {
    const published = app.publisher.published.length;
    for (const [headers, method, path, body] of [
      [reader.headers, 'POST', '/v1/transfers', transfer('s-1', 'a', 'b')],
      [reader.headers, 'POST', '/v1/transfers/batch', { transfers: [transfer('s-2', 'a', 'b')] }],
      [mover.headers, 'POST', '/v1/accounts', { accountId: 'a', currency: 'USD' }],
      [mover.headers, 'GET', '/v1/commands/c-1', undefined],
      [ops.headers, 'GET', '/v1/commands/c-1', undefined],
    ] as const) {
      const response = await request(app.baseUrl, method, path, { body, headers });
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.equal(response.body.code, 'forbidden');
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    assert.equal(app.publisher.published.length, published);
    assert.equal(
      (
        await request(app.baseUrl, 'POST', '/v1/transfers', {
          body: transfer('s-3', 'a', 'b'),
          headers: mover.headers,
        })
      ).status,
      202,
    );
    assert.equal(
      (await request(app.baseUrl, 'GET', '/v1/commands/unknown', { headers: reader.headers }))
        .status,
      404,
    );
  });

  void it('given a key with a tenant, when it opens accounts or moves money, then every account must be inside it, both sides of a transfer', async () => {
    const headers = acme.headers;
    const opened = await request(app.baseUrl, 'POST', '/v1/accounts', {
      body: { accountId: 'acme-1', currency: 'USD' },
      headers,
    });
    assert.equal(opened.status, 202, opened.text);
    const published = app.publisher.published.length;
    for (const [path, body, field] of [
      ['/v1/accounts', { accountId: 'globex-1', currency: 'USD' }, 'accountId'],
      ['/v1/transfers', transfer('t-out', 'acme-1', 'funding'), 'toAccountId'],
      ['/v1/transfers', transfer('t-in', 'funding', 'acme-1'), 'fromAccountId'],
    ] as const) {
      const refused = await request(app.baseUrl, 'POST', path, { body, headers });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 'forbidden');
      assert.match(String(refused.body.detail), new RegExp(`^${field} is outside`));
    }
    assert.equal(app.publisher.published.length, published, 'nothing published');
    const inside = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer('t-in-tenant', 'acme-1', 'acme-2'),
      headers,
    });
    assert.equal(inside.status, 202, inside.text);
  });

  void it('given a tenant’s batch, when one valid item leaves the tenant, then the whole batch is 403 and nothing is published; an invalid item is answered on its own', async () => {
    const headers = acme.headers;
    const published = app.publisher.published.length;
    const refused = await request(app.baseUrl, 'POST', '/v1/transfers/batch', {
      body: {
        transfers: [transfer('b-1', 'acme-1', 'acme-2'), transfer('b-2', 'acme-1', 'globex-9')],
      },
      headers,
    });
    assert.equal(refused.status, 403, refused.text);
    assert.match(String(refused.body.detail), /^transfers\[1\]\.toAccountId is outside/);
    assert.equal(app.publisher.published.length, published);

    const mixed = await request(app.baseUrl, 'POST', '/v1/transfers/batch', {
      body: {
        transfers: [
          transfer('b-3', 'acme-1', 'acme-2'),
          { ...transfer('b-4', 'globex-1', 'acme-2'), amount: 'ten' },
        ],
      },
      headers,
    });
    assert.equal(mixed.status, 202, mixed.text);
    const items = mixed.body.items as { status: string }[];
    assert.deepEqual(
      items.map((item) => item.status),
      ['accepted', 'invalid'],
    );
  });

  void it('given an applied command, when a tenant key reads it, then it is visible only if one of its accounts is the tenant’s; 404 otherwise, as if unknown', async () => {
    app.idempotency.outcomes.set('c-other', {
      commandId: 'c-other',
      status: 'applied',
      versions: { funding: 4, 'globex-1': 2 },
    });
    app.idempotency.outcomes.set('c-mine', {
      commandId: 'c-mine',
      status: 'applied',
      versions: { funding: 5, 'acme-1': 2 },
    });
    app.idempotency.outcomes.set('c-rejected', {
      commandId: 'c-rejected',
      status: 'rejected',
      code: 'insufficient_funds',
    });
    const read = (commandId: string, headers: Record<string, string>) =>
      request(app.baseUrl, 'GET', `/v1/commands/${commandId}`, { headers });
    const hidden = await read('c-other', acme.headers);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 'not_found');
    assert.equal((await read('c-mine', acme.headers)).status, 200);
    assert.equal((await read('c-rejected', acme.headers)).status, 200);
    assert.equal((await read('c-other', reader.headers)).status, 200, 'no tenant: any command');
    assert.equal((await read('c-other', { authorization: 'Bearer legacy-key' })).status, 200);
  });

  void it('given the ops routes, when keys are on, then /metrics needs ops:read, /readyz hides its checks and /healthz stays open', async () => {
    assert.equal((await request(app.baseUrl, 'GET', '/healthz')).status, 200);
    const ready = await request(app.baseUrl, 'GET', '/readyz');
    assert.deepEqual(ready.body, { status: 'ready' });
    assert.deepEqual(
      (await request(app.baseUrl, 'GET', '/readyz', { headers: ops.headers })).body,
      {
        status: 'ready',
        checks: {},
      },
    );
    assert.equal((await request(app.baseUrl, 'GET', '/metrics')).status, 401);
    assert.equal(
      (await request(app.baseUrl, 'GET', '/metrics', { headers: reader.headers })).status,
      403,
    );
    const metrics = await request(app.baseUrl, 'GET', '/metrics', { headers: ops.headers });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /command_api_http_request_duration_seconds/);
  });

  void it('given every request above, when the logs are read, then no key and no Authorization header is in them', () => {
    assert.ok(app.logLines.length > 0, 'debug logging wrote lines');
    for (const secret of [reader.secret, mover.secret, acme.secret, ops.secret, 'legacy-key']) {
      assert.ok(app.logLines.every((line) => !line.includes(secret)));
    }
    assert.ok(app.logLines.every((line) => !/bearer/i.test(line)));
  });
});

void describe('command API rate limit per key', () => {
  const first = testApiKey(['transfers:write']);
  const second = testApiKey(['transfers:write']);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({
      apiKeys: createApiKeys({ file: [first.record, second.record] }),
      rateLimiter: createSharedRateLimiter({
        redis: undefined,
        keyPrefix: 'test',
        limit: 2,
        windowMs: 60_000,
      }),
    });
  });
  after(() => app.close());

  void it('given a key over its limit, when it posts, then 429 with Retry-After while another key still passes', async () => {
    const post = (transferId: string, headers: Record<string, string>) =>
      request(app.baseUrl, 'POST', '/v1/transfers', {
        body: transfer(transferId, 'a', 'b'),
        headers,
      });
    assert.equal((await post('r-1', first.headers)).status, 202);
    assert.equal((await post('r-2', first.headers)).status, 202);
    const limited = await post('r-3', first.headers);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await post('r-4', second.headers)).status, 202);
    const metrics = await request(app.baseUrl, 'GET', '/metrics', { headers: first.headers });
    assert.equal(metrics.status, 403, 'ops:read is a scope of its own');
  });
});
