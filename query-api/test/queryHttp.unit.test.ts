import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKeys } from '@ledger/runtime';
import { account, change } from './fixtures.ts';
import { inMemoryReadModels, startTestApp, type TestApp } from './appHarness.ts';

/**
 * The HTTP surface of the Query API (docs/contract.md), driven through the real server (lean path,
 * ops routes and express) over an in-memory read model: no Kafka, no Postgres.
 */
void describe('query API over HTTP', () => {
  const store = inMemoryReadModels();
  let running: TestApp;

  before(async () => {
    store.accounts.set('alice', account('alice', 3, 1_050n));
    store.accounts.set('whale', account('whale', 1, 10n ** 37n));
    store.accounts.set('bob', {
      ...account('bob', 2, -500n),
      details: {
        overdraftLimit: 1_000n,
        status: 'open',
        createdAt: '2026-01-15T09:30:00.000Z',
        metadata: { name: 'Bob "the builder"' },
      },
    });
    store.history.set(
      'alice',
      [1, 2, 3].map((version) => ({
        transferId: `t-${version}`,
        kind: 'posted' as const,
        direction: version === 2 ? ('debit' as const) : ('credit' as const),
        amount: 500n,
        balanceAfter: BigInt(version) * 350n,
        availableAfter: BigInt(version) * 350n,
        version,
        counterpartyAccountId: 'fund',
        postedAt: `2026-01-15T09:3${version}:00.000Z`,
      })),
    );
    store.transfers.set('t-ok', {
      transferId: 't-ok',
      status: 'posted',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: 9_223_372_036_854_775_807n,
      currency: 'USD',
      code: null,
      postedAt: '2026-01-15T09:31:00.000Z',
    });
    store.transfers.set('t-no', {
      transferId: 't-no',
      status: 'rejected',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: 5n,
      currency: 'USD',
      code: 'insufficient_funds',
      postedAt: null,
    });
    store.transfers.set('r-ok', {
      transferId: 'r-ok',
      status: 'posted',
      fromAccountId: 'bob',
      toAccountId: 'alice',
      amount: 7n,
      currency: 'USD',
      code: null,
      postedAt: '2026-01-15T09:32:00.000Z',
      reversalOf: 't-ok',
    });
    running = await startTestApp(store.readModels);
  });

  after(async () => {
    await running?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${running.baseUrl}${path}`, { headers });

  async function expectProblem(response: Response, status: number, code: string) {
    assert.equal(response.status, status);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.ok(response.headers.get('x-request-id'));
    const problem = (await response.json()) as Record<string, unknown>;
    assert.equal(problem.code, code);
    assert.equal(problem.status, status);
    assert.equal(problem.type, `urn:ledger:problem:${code}`);
    assert.equal(typeof problem.detail, 'string');
    return problem;
  }

  void it('given an uncached account, when its balance is read concurrently then again, then one load answers them (miss) and the next is a hit', async () => {
    const loadsBefore = store.counts.accountLoads;
    const release = store.holdLoads();
    let received = 0;
    const countRequest = () => (received += 1);
    running.app.server.on('request', countRequest);
    const reads = Promise.all(Array.from({ length: 20 }, () => get('/v1/accounts/alice/balance')));
    while (received < 20) await new Promise((resolve) => setImmediate(resolve));
    running.app.server.off('request', countRequest);
    release();
    const first = await reads;
    assert.equal(store.counts.accountLoads - loadsBefore, 1, 'single flight');
    assert.ok(first.every((response) => response.headers.get('x-cache') === 'miss'));
    const again = await get('/v1/accounts/alice/balance');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-cache'), 'hit');
    assert.equal(again.headers.get('content-type'), 'application/json');
    assert.equal(again.headers.get('etag'), null);
    assert.equal(
      await again.text(),
      '{"accountId":"alice","currency":"USD","balance":"1050","available":"1050","version":3}',
    );
  });

  void it('given a balance beyond 2^53, when read, then it is the exact decimal string', async () => {
    const body = (await (await get('/v1/accounts/whale/balance')).json()) as { balance: string };
    assert.equal(body.balance, '10000000000000000000000000000000000000');
  });

  void it('given an account, when read whole, then every field of the contract is there with money as strings', async () => {
    const response = await get('/v1/accounts/bob');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-cache'), null, 'X-Cache is for the balance route');
    assert.deepEqual(await response.json(), {
      accountId: 'bob',
      currency: 'USD',
      balance: '-500',
      available: '-500',
      overdraftLimit: '1000',
      status: 'open',
      version: 2,
      revision: 1,
      createdAt: '2026-01-15T09:30:00.000Z',
      metadata: { name: 'Bob "the builder"' },
    });
  });

  void it('given an account whose opening is not projected yet, when read whole, then its details are null and its balance is there', async () => {
    store.accounts.set('credited-first', {
      ...account('credited-first', 2, 700n),
      details: undefined,
    });
    assert.deepEqual(await (await get('/v1/accounts/credited-first')).json(), {
      accountId: 'credited-first',
      currency: 'USD',
      balance: '700',
      available: '700',
      overdraftLimit: null,
      status: null,
      version: 2,
      revision: 1,
      createdAt: null,
      metadata: null,
    });
  });

  void it('given unknown accounts and bad ids, when read, then 404 not_found and 400 invalid_id problems', async () => {
    await expectProblem(await get('/v1/accounts/nobody/balance'), 404, 'not_found');
    await expectProblem(await get('/v1/accounts/nobody'), 404, 'not_found');
    await expectProblem(await get('/v1/accounts/-bad/balance'), 400, 'invalid_id');
    await expectProblem(await get('/v1/accounts/%zz'), 400, 'invalid_id');
    await expectProblem(await get(`/v1/accounts/${'a'.repeat(65)}`), 400, 'invalid_id');
  });

  void it('given a client X-Request-Id, when answered, then it is echoed; a missing or unsafe one is generated', async () => {
    const echoed = await get('/v1/accounts/alice/balance', { 'X-Request-Id': 'req-123' });
    assert.equal(echoed.headers.get('x-request-id'), 'req-123');
    const fromExpress = await get('/v1/transfers/t-ok', { 'X-Request-Id': 'req-456' });
    assert.equal(fromExpress.headers.get('x-request-id'), 'req-456');
    const generated = await get('/v1/accounts/alice/balance', { 'X-Request-Id': 'x'.repeat(200) });
    assert.match(generated.headers.get('x-request-id') ?? '', /^generated-/);
    const ops = await get('/healthz');
    assert.match(ops.headers.get('x-request-id') ?? '', /^generated-/);
  });

  void it('given bad query parameters, when read, then 400 invalid_request', async () => {
    await expectProblem(
      await get('/v1/accounts/alice/balance?minversion=3'),
      400,
      'invalid_request',
    );
    await expectProblem(
      await get('/v1/accounts/alice/balance?waitMs=10001&minVersion=1'),
      400,
      'invalid_request',
    );
    await expectProblem(await get('/v1/accounts/alice?minVersion=abc'), 400, 'invalid_request');
  });

  void describe('balance as of', () => {
    // carol: opened 09:30, postings v2 at 09:31, v3 and v4 in one batch at 09:32.
    before(() => {
      store.accounts.set('carol', account('carol', 4, 250n));
      const posting = (version: number, balanceAfter: bigint, postedAt: string) => ({
        transferId: `c-${version}`,
        kind: 'posted' as const,
        direction: 'credit' as const,
        amount: 100n,
        balanceAfter,
        availableAfter: balanceAfter,
        version,
        counterpartyAccountId: 'fund',
        postedAt,
      });
      store.history.set('carol', [
        posting(2, 100n, '2026-01-15T09:31:00.000Z'),
        posting(3, 300n, '2026-01-15T09:32:00.000Z'),
        posting(4, 250n, '2026-01-15T09:32:00.000Z'),
      ]);
    });

    void it("given asOfVersion, when read, then that version's balance, bypassing the cache, marked immutable", async () => {
      const response = await get('/v1/accounts/carol/balance?asOfVersion=3');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(response.headers.get('x-cache'), 'bypass');
      assert.equal(response.headers.get('etag'), '"v3"');
      assert.equal(response.headers.get('cache-control'), 'max-age=31536000, immutable');
      assert.equal(
        await response.text(),
        '{"accountId":"carol","currency":"USD","balance":"300","available":"300","version":3,"asOfVersion":3}',
      );
      const opening = await get('/v1/accounts/carol/balance?asOfVersion=1');
      assert.deepEqual(await opening.json(), {
        accountId: 'carol',
        currency: 'USD',
        balance: '0',
        available: '0',
        version: 1,
        asOfVersion: 1,
      });
    });

    void it("given If-None-Match with the version's tag, when read, then 304 without a body", async () => {
      for (const tag of ['"v3"', 'W/"v3"', '"v9", "v3"', '*']) {
        const response = await get('/v1/accounts/carol/balance?asOfVersion=3', {
          'If-None-Match': tag,
        });
        assert.equal(response.status, 304, tag);
        assert.equal(response.headers.get('etag'), '"v3"');
        assert.equal(response.headers.get('cache-control'), 'max-age=31536000, immutable');
        assert.equal(await response.text(), '');
      }
      const other = await get('/v1/accounts/carol/balance?asOfVersion=3', {
        'If-None-Match': '"v2"',
      });
      assert.equal(other.status, 200);
      await expectProblem(
        await get('/v1/accounts/nobody/balance?asOfVersion=1', { 'If-None-Match': '*' }),
        404,
        'not_found',
      );
    });

    void it('given asOf, when read, then the balance after the last posting at or before it', async () => {
      const at = async (instant: string) => {
        const response = await get(
          `/v1/accounts/carol/balance?asOf=${encodeURIComponent(instant)}`,
        );
        assert.equal(response.status, 200, instant);
        assert.equal(response.headers.get('x-cache'), 'bypass');
        assert.equal(response.headers.get('etag'), null, 'asOf answers are not validated');
        assert.equal(response.headers.get('cache-control'), null);
        return (await response.json()) as Record<string, unknown>;
      };
      assert.deepEqual(await at('2026-01-15T09:31:00Z'), {
        accountId: 'carol',
        currency: 'USD',
        balance: '100',
        available: '100',
        version: 2,
        asOf: '2026-01-15T09:31:00.000Z',
      });
      assert.equal((await at('2026-01-15T09:30:59.999Z')).version, 1);
      assert.equal((await at('2026-01-15T09:30:59.999Z')).balance, '0');
      assert.equal((await at('2026-01-15T09:30:00Z')).version, 1, 'the opening instant');
      // Versions posted in one batch share its time: the instant covers both.
      assert.deepEqual(await at('2026-01-15T10:32:00.000999+01:00'), {
        accountId: 'carol',
        currency: 'USD',
        balance: '250',
        available: '250',
        version: 4,
        asOf: '2026-01-15T09:32:00.000Z',
      });
      assert.equal((await at('2999-01-01T00:00:00Z')).version, 4);
    });

    void it('given a time before the opening or an unknown account, when read as of, then 404 not_found', async () => {
      await expectProblem(
        await get('/v1/accounts/carol/balance?asOf=2026-01-15T09:29:59.999Z'),
        404,
        'not_found',
      );
      await expectProblem(
        await get('/v1/accounts/nobody/balance?asOf=2026-01-15T09:31:00Z'),
        404,
        'not_found',
      );
      await expectProblem(await get('/v1/accounts/nobody/balance?asOfVersion=2'), 404, 'not_found');
    });

    void it("given asOfVersion above the account's version, when it never comes, then 504 consistency_timeout", async () => {
      await expectProblem(
        await get('/v1/accounts/carol/balance?asOfVersion=9&waitMs=50'),
        504,
        'consistency_timeout',
      );
      await expectProblem(
        await get('/v1/accounts/carol/balance?asOfVersion=9&waitMs=0'),
        504,
        'consistency_timeout',
      );
    });

    void it("given asOfVersion above the account's version, when it is written during the wait, then it is answered", async () => {
      const pending = get('/v1/accounts/carol/balance?asOfVersion=5&waitMs=5000');
      while (running.app.waiters.size === 0) await new Promise((resolve) => setImmediate(resolve));
      store.accounts.set('carol', account('carol', 5, 40n));
      store.history.get('carol')?.push({
        transferId: 'c-5',
        kind: 'posted',
        direction: 'debit',
        amount: 210n,
        balanceAfter: 40n,
        availableAfter: 40n,
        version: 5,
        counterpartyAccountId: 'fund',
        postedAt: '2026-01-15T09:40:00.000Z',
      });
      running.app.applyChange(change('carol', 5, 40n));
      const response = await pending;
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        accountId: 'carol',
        currency: 'USD',
        balance: '40',
        available: '40',
        version: 5,
        asOfVersion: 5,
      });
    });

    void it('given malformed or conflicting as-of parameters, when read, then 400 invalid_request', async () => {
      for (const query of [
        'asOfVersion=0',
        'asOfVersion=x',
        'asOf=2026-01-15T09:31:00',
        'asOf=2026-01-15T10:31:00+01:00',
        'asOf=2026-01-15T09:31:00Z&asOfVersion=2',
        'asOfVersion=2&minVersion=2',
        'asOf=2026-01-15T09:31:00Z&waitMs=5',
      ]) {
        await expectProblem(
          await get(`/v1/accounts/carol/balance?${query}`),
          400,
          'invalid_request',
        );
      }
      await expectProblem(await get('/v1/accounts/carol?asOfVersion=2'), 400, 'invalid_request');
    });
  });

  void it('given minVersion above the cache, when the change arrives during the wait, then the request answers with it', async () => {
    await get('/v1/accounts/bob/balance');
    const pending = get('/v1/accounts/bob/balance?minVersion=3&waitMs=5000');
    // Nothing answers until the change is applied; apply it once the request is parked.
    while (running.app.waiters.size === 0) await new Promise((resolve) => setImmediate(resolve));
    running.app.applyChange(change('bob', 3, -400n));
    const response = await pending;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      accountId: 'bob',
      currency: 'USD',
      balance: '-400',
      available: '-400',
      version: 3,
    });
  });

  void it('given minVersion that never arrives, when the wait runs out, then 504 consistency_timeout', async () => {
    await expectProblem(
      await get('/v1/accounts/alice/balance?minVersion=99&waitMs=50'),
      504,
      'consistency_timeout',
    );
    assert.equal(running.app.waiters.size, 0);
  });

  void it('given an account with postings, when its transactions are paged, then newest first with an opaque cursor to the end', async () => {
    const first = await get('/v1/accounts/alice/transactions?limit=2');
    assert.equal(first.status, 200);
    const page1 = (await first.json()) as {
      items: { version: number; amount: string }[];
      nextCursor: string;
    };
    assert.deepEqual(
      page1.items.map((item) => item.version),
      [3, 2],
    );
    assert.equal(page1.items[0]?.amount, '500');
    assert.deepEqual(Object.keys(page1.items[0] ?? {}), [
      'transferId',
      'kind',
      'direction',
      'amount',
      'balanceAfter',
      'availableAfter',
      'version',
      'counterpartyAccountId',
      'postedAt',
    ]);
    const second = await get(`/v1/accounts/alice/transactions?limit=2&cursor=${page1.nextCursor}`);
    const page2 = (await second.json()) as { items: { version: number }[]; nextCursor: unknown };
    assert.deepEqual(
      page2.items.map((item) => item.version),
      [1],
    );
    assert.equal(page2.nextCursor, null);
  });

  void it('given bad transaction requests, when read, then 404 for unknown accounts and 400 for bad cursors and limits', async () => {
    await expectProblem(await get('/v1/accounts/nobody/transactions'), 404, 'not_found');
    await expectProblem(
      await get('/v1/accounts/alice/transactions?cursor=zzz'),
      400,
      'invalid_request',
    );
    await expectProblem(
      await get('/v1/accounts/alice/transactions?limit=201'),
      400,
      'invalid_request',
    );
    await expectProblem(await get('/v1/accounts/bad%20id/transactions'), 400, 'invalid_id');
  });

  void it('given decided transfers, when read, then their status with code only when rejected; 404 before', async () => {
    assert.deepEqual(await (await get('/v1/transfers/t-ok')).json(), {
      transferId: 't-ok',
      status: 'posted',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: '9223372036854775807',
      currency: 'USD',
      postedAt: '2026-01-15T09:31:00.000Z',
    });
    assert.deepEqual(await (await get('/v1/transfers/t-no')).json(), {
      transferId: 't-no',
      status: 'rejected',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: '5',
      currency: 'USD',
      code: 'insufficient_funds',
    });
    await expectProblem(await get('/v1/transfers/t-later'), 404, 'not_found');
  });

  void it('given a decided reversal, when read, then it names the transfer it reverses', async () => {
    assert.deepEqual(await (await get('/v1/transfers/r-ok')).json(), {
      transferId: 'r-ok',
      status: 'posted',
      fromAccountId: 'bob',
      toAccountId: 'alice',
      amount: '7',
      currency: 'USD',
      postedAt: '2026-01-15T09:32:00.000Z',
      reversalOf: 't-ok',
    });
  });

  void it('given unknown routes and methods, when requested, then 404 not_found problems', async () => {
    await expectProblem(await get('/v1/nothing'), 404, 'not_found');
    await expectProblem(await get('/v1/accounts/alice/balance/extra'), 404, 'not_found');
    const post = await fetch(`${running.baseUrl}/v1/accounts/alice/balance`, { method: 'POST' });
    await expectProblem(post, 404, 'not_found');
  });

  void it('given traffic, when metrics are scraped, then cache and route metrics are there', async () => {
    const text = await (await get('/metrics')).text();
    assert.match(
      text,
      /query_api_cache_requests_total\{result="hit",service="query-api-test"\} [1-9]/,
    );
    assert.match(text, /query_api_cache_entries\{service="query-api-test"\} [1-9]/);
    assert.match(
      text,
      /query_api_http_request_duration_seconds_count\{[^}]*route="\/v1\/accounts\/:accountId\/balance",status="200"[^}]*\} [1-9]/,
    );
    assert.match(
      text,
      /_bucket\{[^}]*route="\/v1\/transfers\/:transferId",status="404"[^}]*le="\+Inf"/,
    );
  });
});

void describe('query API with API keys', () => {
  let running: TestApp;
  before(async () => {
    const store = inMemoryReadModels();
    store.accounts.set('alice', account('alice', 1, 0n));
    running = await startTestApp(
      store.readModels,
      {},
      { apiKeys: createApiKeys({ plaintext: ['secret-key'] }) },
    );
  });
  after(async () => {
    await running?.close();
  });

  void it('given keys are configured, when a request has none or a wrong one, then 401; with the key it passes', async () => {
    for (const path of ['/v1/accounts/alice/balance', '/v1/transfers/t-1']) {
      const missing = await fetch(`${running.baseUrl}${path}`);
      assert.equal(missing.status, 401);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
      const wrong = await fetch(`${running.baseUrl}${path}`, {
        headers: { Authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
    }
    const ok = await fetch(`${running.baseUrl}/v1/accounts/alice/balance`, {
      headers: { Authorization: 'Bearer secret-key' },
    });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${running.baseUrl}/healthz`)).status, 200, 'ops routes stay open');
  });
});
