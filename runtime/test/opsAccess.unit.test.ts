import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createApiKeys } from '../src/apiKeys.ts';
import { closeServer, createOpsServer, listen } from '../src/opsServer.ts';
import { testApiKey } from './apiKeyFixtures.ts';

void describe('ops routes with API keys on', () => {
  const ops = testApiKey(['ops:read']);
  const reader = testApiKey(['accounts:read']);
  let server: Server;
  let base: string;

  before(async () => {
    server = createOpsServer({
      registry: new Registry(),
      readiness: [{ name: 'postgres', check: () => Promise.reject(new Error('down at 10.0.0.5')) }],
      apiKeys: createApiKeys({ file: [ops.record, reader.record] }),
    });
    await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => closeServer(server));

  const get = (path: string, secret?: string) =>
    fetch(`${base}${path}`, {
      headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
    });

  void it('given no key, when /healthz is probed, then it answers: liveness needs no secret', async () => {
    assert.equal((await get('/healthz')).status, 200);
  });

  void it('given no key or one without ops:read, when /readyz is probed, then the status code answers without the check details', async () => {
    for (const secret of [undefined, reader.secret, 'wrong']) {
      const response = await get('/readyz', secret);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: 'not_ready' });
    }
    const detailed = await get('/readyz', ops.secret);
    assert.equal(detailed.status, 503);
    assert.deepEqual(await detailed.json(), {
      status: 'not_ready',
      checks: { postgres: 'down at 10.0.0.5' },
    });
  });

  void it('given no key, a wrong key or a key without ops:read, when /metrics is scraped, then 401 or 403 problem documents; ops:read gets the metrics', async () => {
    const missing = await get('/metrics');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await missing.json()) as { code: string }).code, 'unauthorized');
    const wrong = await get('/metrics', 'wrong');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const forbidden = await get('/metrics', reader.secret);
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { code: string }).code, 'forbidden');
    const allowed = await get('/metrics', ops.secret);
    assert.equal(allowed.status, 200);
    assert.match(allowed.headers.get('content-type') ?? '', /^text\/plain/);
  });
});

void describe('ops routes with API keys off', () => {
  void it('given no keys, when /metrics and /readyz are asked, then both answer in full', async () => {
    const server = createOpsServer({
      registry: new Registry(),
      readiness: [],
      apiKeys: createApiKeys({}),
    });
    await listen(server, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.equal((await fetch(`${base}/metrics`)).status, 200);
      assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), {
        status: 'ready',
        checks: {},
      });
    } finally {
      await closeServer(server);
    }
  });
});
