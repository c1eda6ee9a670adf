import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKeys } from '@ledger/runtime';
import { batchItemsMax } from '../src/validation/batchValidator.ts';
import { startTestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';

const transfer = (transferId: string, overrides: Record<string, unknown> = {}) => ({
  transferId,
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: '10',
  currency: 'USD',
  ...overrides,
});

void describe('batch transfers', () => {
  void it('given good, bad and duplicate items, when posted, then each item is answered on its own', async () => {
    const app = await startTestApp();
    try {
      const response = await request(app.baseUrl, 'POST', '/v1/transfers/batch', {
        body: {
          transfers: [
            transfer('b-1'),
            transfer('b-2', { amount: 10 }),
            transfer('b-3', { toAccountId: 'alice' }),
            transfer('b-1'),
            transfer('b-1', { amount: '11' }),
          ],
        },
      });
      assert.equal(response.status, 202);
      const items = response.body.items as Record<string, unknown>[];
      assert.deepEqual(
        items.map((item) => [
          item.index,
          item.status,
          (item.problem as { code?: string } | undefined)?.code,
        ]),
        [
          [0, 'accepted', undefined],
          [1, 'invalid', 'invalid_amount'],
          [2, 'invalid', 'same_account'],
          [3, 'accepted', undefined],
          [4, 'invalid', 'idempotency_conflict'],
        ],
      );
      assert.equal(items[3]?.replayed, true);
      assert.equal(items[3]?.commandId, items[0]?.commandId);
      assert.equal(app.publisher.published.length, 1, 'one command for b-1, none for the rest');
    } finally {
      await app.close();
    }
  });

  void it('given Prefer: wait, when posted, then 200 with every outcome', async () => {
    const app = await startTestApp();
    app.publisher.onPublished = (commands) => {
      for (const { command } of commands) {
        app.idempotency.outcomes.set(command.commandId, {
          status: 'applied',
          commandId: command.commandId,
          versions: { alice: 3 },
          balances: { alice: '5' },
        });
      }
    };
    try {
      const response = await request(app.baseUrl, 'POST', '/v1/transfers/batch', {
        body: { transfers: [transfer('w-1'), transfer('w-2', { amount: '0' })] },
        headers: { prefer: 'wait=2' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('preference-applied'), 'wait=2');
      const items = response.body.items as Record<string, unknown>[];
      assert.equal(items[0]?.status, 'applied');
      assert.deepEqual(items[0]?.versions, { alice: 3 });
      assert.equal(items[1]?.status, 'invalid');
    } finally {
      await app.close();
    }
  });

  void it('given an empty, oversized or keyed batch, when posted, then 400 and nothing is published', async () => {
    const app = await startTestApp();
    try {
      const many = Array.from({ length: batchItemsMax + 1 }, (_, i) => transfer(`m-${i}`));
      for (const [body, headers] of [
        [{ transfers: [] }, {}],
        [{ transfers: many }, {}],
        [{ transfers: [transfer('k-1')] }, { 'idempotency-key': 'k' }],
        [{ items: [transfer('k-2')] }, {}],
      ] as const) {
        const response = await request(app.baseUrl, 'POST', '/v1/transfers/batch', {
          body,
          headers,
        });
        assert.equal(response.status, 400, response.text);
        assert.equal(response.body.code, 'invalid_request');
      }
      assert.equal(app.publisher.published.length, 0);
    } finally {
      await app.close();
    }
  });
});

void describe('admission', () => {
  void it('given API keys, when the key is missing or wrong, then 401; with the key, 202', async () => {
    const app = await startTestApp({
      apiKeys: createApiKeys({ plaintext: ['secret-1', 'secret-2'] }),
    });
    try {
      const body = transfer('a-1');
      const missing = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
      assert.equal(missing.status, 401);
      assert.equal(missing.body.code, 'unauthorized');
      const wrong = await request(app.baseUrl, 'POST', '/v1/transfers', {
        body,
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
      const right = await request(app.baseUrl, 'POST', '/v1/transfers', {
        body,
        headers: { authorization: 'Bearer secret-2' },
      });
      assert.equal(right.status, 202);
      assert.ok(
        [...app.rateLimiter.counts.keys()].every(
          (key) => key.startsWith('key:') && !key.includes('secret'),
        ),
      );
      assert.equal(
        (await request(app.baseUrl, 'GET', '/healthz')).status,
        200,
        'ops routes need no key',
      );
    } finally {
      await app.close();
    }
  });

  void it('given a client over its rate, when posting, then 429 with Retry-After; a failing limiter lets requests through', async () => {
    const app = await startTestApp();
    try {
      app.rateLimiter.limit = 1;
      assert.equal(
        (await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer('r-1') })).status,
        202,
      );
      const limited = await request(app.baseUrl, 'POST', '/v1/transfers', {
        body: transfer('r-2'),
      });
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '7');
      assert.ok([...app.rateLimiter.counts.keys()].every((key) => key.startsWith('addr:')));
      app.rateLimiter.failing = true;
      assert.equal(
        (await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer('r-3') })).status,
        202,
      );
      const metrics = await request(app.baseUrl, 'GET', '/metrics');
      assert.match(metrics.text, /command_api_redis_degraded_total\{operation="rate_limit"\} 1/);
    } finally {
      await app.close();
    }
  });

  void it('given consumer lag over the bound, when posting, then 503 overloaded; reads still work', async () => {
    const app = await startTestApp();
    try {
      app.lagGauge.lag = 100_001;
      const shed = await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer('s-1') });
      assert.equal(shed.status, 503);
      assert.equal(shed.body.code, 'overloaded');
      assert.equal(shed.headers.get('retry-after'), '2');
      assert.equal((await request(app.baseUrl, 'GET', '/v1/commands/x')).status, 404);
      app.lagGauge.lag = 100_000;
      assert.equal(
        (await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer('s-2') })).status,
        202,
      );
      assert.equal(app.publisher.published.length, 1);
    } finally {
      await app.close();
    }
  });

  void it('given the instance is draining, when posting, then 503 and /readyz says draining', async () => {
    const app = await startTestApp({ isAccepting: () => false });
    try {
      assert.equal(
        (await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer('d-1') })).status,
        503,
      );
      const ready = await request(app.baseUrl, 'GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'draining');
    } finally {
      await app.close();
    }
  });

  void it('given an unexpected error, when handled, then a generic 500 and the cause is logged', async () => {
    const app = await startTestApp();
    app.idempotency.states = () => Promise.reject(new TypeError('secret internal detail'));
    try {
      const response = await request(app.baseUrl, 'GET', '/v1/commands/abc');
      assert.equal(response.status, 500);
      assert.equal(response.body.code, 'internal_error');
      assert.doesNotMatch(response.text, /secret internal detail/);
      assert.match(app.logLines.join('\n'), /unhandled error.*secret internal detail/);
    } finally {
      await app.close();
    }
  });
});
