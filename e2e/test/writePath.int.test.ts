import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { readCommandApiConfig } from '@ledger/command-api/config';
import { startCommandApi, type RunningCommandApi } from '@ledger/command-api/wiring';
import { request, type HttpResult } from '@ledger/testing/httpClient';

// The write path end to end: HTTP → Kafka → the real ledger processor → Postgres → Redis push
// back to the waiting request. Each run has its own topics, schema and Redis prefix.
describe('write path: command API with the ledger processor', () => {
  let env: LedgerTestEnvironment;
  let api: RunningCommandApi;
  let processor: RunningProcessor | undefined;
  let baseUrl: string;
  const accepted = new Set<string>();

  const startProcessor = async () => {
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
  };
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const result = await request(baseUrl, 'POST', path, { body, headers });
    if (typeof result.body.commandId === 'string') accepted.add(result.body.commandId);
    return result;
  };
  const wait = { prefer: 'wait=10' };
  const openAccount = (accountId: string, overdraftLimit = '0') =>
    post('/v1/accounts', { accountId, currency: 'USD', overdraftLimit }, wait);
  const problemCode = (result: HttpResult) => result.body.code;

  before(async () => {
    env = await createLedgerTestEnvironment('write_path');
    api = await startCommandApi(
      readCommandApiConfig(env.env({ LEDGER_COMMAND_API_HOST: '127.0.0.1' })),
      env.logger,
      0,
    );
    baseUrl = `http://127.0.0.1:${api.port}`;
    await startProcessor();
  });

  after(async () => {
    await api?.stop();
    await processor?.stop();
    await env?.teardown();
  });

  it('given Prefer: wait, when accounts open and a transfer is applied, then 201 carries versions and balances', async () => {
    const opened = await openAccount('funding', '1000000000');
    assert.equal(opened.status, 201, opened.text);
    assert.deepEqual(opened.body.versions, { funding: 1 });
    assert.equal((await openAccount('alice')).status, 201);
    assert.equal((await openAccount('bob')).status, 201);

    const funded = await post(
      '/v1/transfers',
      {
        transferId: 'fund-alice',
        fromAccountId: 'funding',
        toAccountId: 'alice',
        amount: '5000',
        currency: 'USD',
      },
      wait,
    );
    assert.equal(funded.status, 201, funded.text);
    assert.equal(funded.body.status, 'applied');
    assert.deepEqual(funded.body.versions, { funding: 2, alice: 2 });
    assert.deepEqual(funded.body.balances, { funding: '-5000', alice: '5000' });
  });

  it('given rejections decided by the processor, when waited for, then 422 problem documents carry the code and the commandId', async () => {
    const cases: [string, Record<string, string>][] = [
      ['insufficient_funds', { fromAccountId: 'alice', toAccountId: 'bob', amount: '999999' }],
      ['account_not_found', { fromAccountId: 'alice', toAccountId: 'nobody', amount: '1' }],
      [
        'currency_mismatch',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '1', currency: 'EUR' },
      ],
    ];
    for (const [code, fields] of cases) {
      const result = await post('/v1/transfers', { currency: 'USD', ...fields }, wait);
      assert.equal(result.status, 422, `${code}: ${result.text}`);
      assert.equal(problemCode(result), code);
      assert.equal(result.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(typeof result.body.commandId, 'string');
    }
  });

  it('given the processor is down, when a client waits, times out with 202 and retries, then the transfer takes effect once', async () => {
    await processor?.stop();
    processor = undefined;
    const body = {
      transferId: 'retried-once',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: '100',
      currency: 'USD',
    };
    const first = await post('/v1/transfers', body, { prefer: 'wait=1' });
    assert.equal(first.status, 202, first.text);
    const retry = await post('/v1/transfers', body, { prefer: 'wait=1' });
    assert.equal(retry.status, 202, retry.text);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.body.commandId, first.body.commandId);

    await startProcessor();
    await waitUntil(async () => {
      const state = await request(baseUrl, 'GET', `/v1/commands/${String(first.body.commandId)}`);
      return state.body.status === 'applied';
    }, 'the retried transfer applied');
    const legs = await env.pool.query(`select 1 from postings where transfer_id = 'retried-once'`);
    assert.equal(legs.rowCount, 2, 'one effect: two legs, not four');
  });

  it('given every kind of bad input, when posted, then each gets its problem document and nothing reaches the ledger', async () => {
    const before = await env.pool.query<{ n: string }>(
      'select count(*) as n from command_outcomes',
    );
    const bad: [string, string, Record<string, unknown>][] = [
      [
        'invalid_amount',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: 10, currency: 'USD' },
      ],
      [
        'invalid_amount',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '-5', currency: 'USD' },
      ],
      [
        'invalid_amount',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '0', currency: 'USD' },
      ],
      [
        'invalid_amount',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '1.5', currency: 'USD' },
      ],
      [
        'invalid_amount',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '1e3', currency: 'USD' },
      ],
      [
        'invalid_amount',
        '/v1/transfers',
        {
          fromAccountId: 'alice',
          toAccountId: 'bob',
          amount: '9223372036854775808',
          currency: 'USD',
        },
      ],
      [
        'invalid_id',
        '/v1/transfers',
        { fromAccountId: '-bad', toAccountId: 'bob', amount: '1', currency: 'USD' },
      ],
      [
        'invalid_request',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '1', currency: 'USD', extra: 1 },
      ],
      [
        'invalid_request',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'bob', amount: '1' },
      ],
      [
        'same_account',
        '/v1/transfers',
        { fromAccountId: 'alice', toAccountId: 'alice', amount: '1', currency: 'USD' },
      ],
      ['invalid_id', '/v1/accounts', { accountId: 'a b', currency: 'USD' }],
      ['invalid_request', '/v1/accounts', { accountId: 'zed', currency: 'usd' }],
    ];
    for (const [code, path, body] of bad) {
      const result = await post(path, body, wait);
      assert.equal(problemCode(result), code, `${JSON.stringify(body)} → ${result.text}`);
      assert.equal(result.status, 400);
    }
    const malformed = await request(baseUrl, 'POST', '/v1/transfers', {
      rawBody: '{"fromAccountId":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.status, 400);
    const notJson = await request(baseUrl, 'POST', '/v1/transfers', {
      rawBody: 'amount=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(notJson.status, 415);
    const tooLarge = await request(baseUrl, 'POST', '/v1/accounts', {
      rawBody: JSON.stringify({
        accountId: 'big',
        currency: 'USD',
        metadata: { note: 'x'.repeat(70_000) },
      }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(tooLarge.status, 413);

    // Nothing was written: a good command sent after them is the only new outcome.
    const marker = await openAccount('marker');
    assert.equal(marker.status, 201);
    const afterCount = await env.pool.query<{ n: string }>(
      'select count(*) as n from command_outcomes',
    );
    assert.equal(Number(afterCount.rows[0]?.n), Number(before.rows[0]?.n) + 1);
    const strays = await env.pool.query(`select 1 from accounts where id in ('zed', 'big', 'a b')`);
    assert.equal(strays.rowCount, 0);
  });

  it('given everything accepted in this run, then every command was decided exactly once and the ledger balances', async () => {
    const decided = await env.pool.query<{ n: string }>(
      'select count(*) as n from command_outcomes where command_id = any($1)',
      [[...accepted]],
    );
    assert.equal(Number(decided.rows[0]?.n), accepted.size);
    const sums = await env.pool.query<{ postings: string; balances: string }>(
      `select (select coalesce(sum(amount), 0)::text from postings) as postings,
              (select coalesce(sum(balance), 0)::text from accounts) as balances`,
    );
    assert.deepEqual(sums.rows[0], { postings: '0', balances: '0' });
  });
});
