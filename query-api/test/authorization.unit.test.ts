import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createApiKeys } from '@ledger/runtime';
import { testApiKey } from '../../runtime/test/apiKeyFixtures.ts';
import { account } from './fixtures.ts';
import { inMemoryReadModels, startTestApp, testOptions, type TestApp } from './appHarness.ts';

type Frame = Record<string, unknown>;

/** Opens /v1/stream: the open socket and its frames, or the refused upgrade's answer. */
async function upgrade(baseUrl: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/v1/stream`, { headers });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  return new Promise<
    | { opened: true; ws: WebSocket; frames: Frame[] }
    | { opened: false; status: number; retryAfter: string | undefined; body: Frame }
  >((resolve, reject) => {
    ws.once('open', () => resolve({ opened: true, ws, frames }));
    ws.once('unexpected-response', (_request, response: IncomingMessage) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        ws.terminate();
        resolve({
          opened: false,
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'],
          body: JSON.parse(text) as Frame,
        });
      });
    });
    ws.once('error', reject);
  });
}

async function waitFor(frames: Frame[], condition: (frames: Frame[]) => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!condition(frames)) {
    if (Date.now() > deadline)
      assert.fail(`timed out waiting for ${what}: ${JSON.stringify(frames)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** API keys with scopes and tenants on every path of the query API: lean, express, stream. */
void describe('query API authorization', () => {
  const store = inMemoryReadModels();
  const acme = testApiKey(['accounts:read'], 'acme-');
  const writer = testApiKey(['transfers:write']);
  const ops = testApiKey(['ops:read']);
  let running: TestApp;

  before(async () => {
    store.accounts.set('acme-1', account('acme-1', 1, 100n));
    store.accounts.set('globex-1', account('globex-1', 1, 100n));
    const posted = {
      status: 'posted' as const,
      amount: 100n,
      currency: 'USD',
      code: null,
      postedAt: '2026-01-15T09:31:00.000Z',
    };
    store.transfers.set('t-mine', {
      ...posted,
      transferId: 't-mine',
      fromAccountId: 'funding',
      toAccountId: 'acme-1',
    });
    store.transfers.set('t-other', {
      ...posted,
      transferId: 't-other',
      fromAccountId: 'funding',
      toAccountId: 'globex-1',
    });
    running = await startTestApp(
      store.readModels,
      {},
      { apiKeys: createApiKeys({ file: [acme.record, writer.record, ops.record] }) },
    );
  });
  after(() => running.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${running.baseUrl}${path}`, { headers });

  void it('given a tenant key, when it reads accounts by id, then its own answer and others are 403 forbidden on the lean and express paths alike', async () => {
    for (const path of [
      '/v1/accounts/acme-1',
      '/v1/accounts/acme-1/balance',
      '/v1/accounts/acme-1/transactions',
    ]) {
      assert.equal((await get(path, acme.headers)).status, 200, path);
    }
    for (const path of [
      '/v1/accounts/globex-1',
      '/v1/accounts/globex-1/balance',
      '/v1/accounts/globex-1/transactions',
    ]) {
      const refused = await get(path, acme.headers);
      assert.equal(refused.status, 403, path);
      const problem = (await refused.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'forbidden');
      assert.match(problem.detail, /^accountId is outside/);
    }
  });

  void it('given a tenant key, when it reads transfers, then one touching its accounts is shown and any other is 404 as if unknown', async () => {
    assert.equal((await get('/v1/transfers/t-mine', acme.headers)).status, 200);
    const hidden = await get('/v1/transfers/t-other', acme.headers);
    assert.equal(hidden.status, 404);
    assert.equal(((await hidden.json()) as { code: string }).code, 'not_found');
  });

  void it('given no key or a key without accounts:read, when it reads, then 401 or 403 on every path and on the stream upgrade', async () => {
    for (const path of ['/v1/accounts/acme-1/balance', '/v1/transfers/t-mine']) {
      const missing = await get(path);
      assert.equal(missing.status, 401, path);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
      const unknown = await get(path, { authorization: 'Bearer not-a-key' });
      assert.equal(unknown.status, 401, path);
      assert.equal(unknown.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal((await get(path, writer.headers)).status, 403, path);
      assert.equal((await get(path, ops.headers)).status, 403, path);
    }
    const unauthenticated = await upgrade(running.baseUrl);
    assert.ok(!unauthenticated.opened && unauthenticated.status === 401);
    const forbidden = await upgrade(running.baseUrl, writer.headers);
    assert.ok(!forbidden.opened && forbidden.status === 403);
    assert.equal(!forbidden.opened && forbidden.body.code, 'forbidden');
  });

  void it('given a tenant’s stream, when it subscribes to an account outside its prefix, then a forbidden error frame and nothing of that message is subscribed', async () => {
    const client = await upgrade(running.baseUrl, acme.headers);
    assert.ok(client.opened);
    try {
      client.ws.send(JSON.stringify({ subscribe: ['acme-1', 'globex-1'] }));
      await waitFor(client.frames, (frames) => frames.length === 1, 'the refusal');
      assert.deepEqual(client.frames[0], {
        type: 'error',
        code: 'forbidden',
        detail: 'subscribe[1] is outside the accounts this API key may use',
      });
      assert.equal(running.app.stream.isSubscribed('acme-1'), false);
      client.ws.send(JSON.stringify({ subscribe: ['acme-1'] }));
      await waitFor(
        client.frames,
        (frames) => frames.some((frame) => frame.type === 'balance'),
        'the snapshot',
      );
      assert.deepEqual(client.frames[1], { type: 'subscribed', accountIds: ['acme-1'] });
    } finally {
      client.ws.terminate();
    }
  });

  void it('given the ops routes, when keys are on, then /metrics needs ops:read and /healthz stays open', async () => {
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/metrics')).status, 401);
    assert.equal((await get('/metrics', acme.headers)).status, 403);
    assert.equal((await get('/metrics', ops.headers)).status, 200);
    assert.deepEqual(await (await get('/readyz')).json(), { status: 'ready' });
  });
});

void describe('query API rate limits', () => {
  const store = inMemoryReadModels();
  let running: TestApp;

  before(async () => {
    store.accounts.set('alice', account('alice', 1, 100n));
    store.accounts.set('bob', account('bob', 1, 100n));
    running = await startTestApp(store.readModels, {
      rateLimit: {
        requests: 3,
        requestsShared: false,
        streamConnects: 2,
        streamSubscriptions: 2,
        windowMs: 60_000,
      },
      stream: { ...testOptions.stream, connectionsMax: 10 },
    });
  });
  after(() => running.close());

  void it('given keys off, when one address reads past its limit on the lean and express paths, then 429 with Retry-After, counted by limit', async () => {
    const get = (path: string) => fetch(`${running.baseUrl}${path}`);
    assert.equal((await get('/v1/accounts/alice/balance')).status, 200);
    assert.equal((await get('/v1/accounts/alice/transactions')).status, 200);
    assert.equal((await get('/v1/accounts/alice')).status, 200);
    for (const path of ['/v1/accounts/alice/balance', '/v1/transfers/t-1']) {
      const limited = await get(path);
      assert.equal(limited.status, 429, path);
      assert.equal(((await limited.json()) as { code: string }).code, 'rate_limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    }
    assert.equal((await get('/healthz')).status, 200, 'ops routes are not limited');
    assert.match(
      await (await get('/metrics')).text(),
      /query_api_rate_limited_total\{limit="requests",service="query-api-test"\} 2/,
    );
  });

  void it('given a client past its stream limits, when it connects or subscribes again, then the upgrade is 429 and the subscribe an error frame with retryAfterSeconds', async () => {
    const first = await upgrade(running.baseUrl);
    const second = await upgrade(running.baseUrl);
    assert.ok(first.opened && second.opened);
    try {
      const third = await upgrade(running.baseUrl);
      assert.ok(!third.opened);
      assert.equal(third.status, 429);
      assert.equal(third.body.code, 'rate_limited');
      assert.ok(Number(third.retryAfter) >= 1);

      first.ws.send(JSON.stringify({ subscribe: ['alice', 'bob'] }));
      await waitFor(first.frames, (frames) => frames[0]?.type === 'subscribed', 'subscribed');
      second.ws.send(JSON.stringify({ subscribe: ['alice'] }));
      await waitFor(second.frames, (frames) => frames.length === 1, 'the refusal');
      const refusal = second.frames[0] ?? {};
      assert.equal(refusal.type, 'error');
      assert.equal(refusal.code, 'rate_limited');
      assert.ok(typeof refusal.retryAfterSeconds === 'number' && refusal.retryAfterSeconds >= 1);
    } finally {
      first.ws.terminate();
      second.ws.terminate();
    }
  });
});
