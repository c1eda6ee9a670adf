import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import type { CommandToPublish } from '../src/appDeps.ts';
import { startTestApp, type TestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';

const transfer = (overrides: Record<string, unknown> = {}) => ({
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: '250',
  currency: 'USD',
  ...overrides,
});

/** A stand-in processor: applies transfers of up to 1000, rejects larger ones. */
function decideEach(app: TestApp) {
  return (commands: readonly CommandToPublish[]) => {
    for (const { command } of commands) {
      const { commandId, payload } = command;
      if (payload.type === 'Transfer' && payload.amount > 1000n) {
        app.idempotency.outcomes.set(commandId, {
          status: 'rejected',
          commandId,
          code: 'insufficient_funds',
        });
      } else if (payload.type === 'Transfer' || payload.type === 'SettlePending') {
        app.idempotency.outcomes.set(commandId, {
          status: 'applied',
          commandId,
          versions: { [payload.fromAccountId]: 2, [payload.toAccountId]: 5 },
          balances: { [payload.fromAccountId]: '-250', [payload.toAccountId]: '250' },
        });
      } else {
        app.idempotency.outcomes.set(commandId, {
          status: 'applied',
          commandId,
          versions: { [payload.accountId]: 1 },
        });
      }
    }
  };
}

void describe('command routes', () => {
  let app: TestApp;
  let serial = 0;
  const nextId = () => `t-${++serial}`;
  before(async () => {
    app = await startTestApp();
  });
  beforeEach(() => {
    app.publisher.onPublished = () => {};
    app.publisher.failWith = undefined;
    app.outcomes.available = true;
  });
  after(() => app.close());

  void it('given Prefer: wait and an applied outcome, when posted, then 201 with versions and balances', async () => {
    app.publisher.onPublished = decideEach(app);
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: nextId() }),
      headers: { prefer: 'wait=5' },
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('preference-applied'), 'wait=5');
    assert.equal(response.body.status, 'applied');
    assert.deepEqual(response.body.versions, { alice: 2, bob: 5 });
    assert.deepEqual(response.body.balances, { alice: '-250', bob: '250' });
    assert.equal(app.outcomes.waits.at(-1)?.timeoutMs, 5_000);
  });

  void it('given Prefer: wait and a rejection, when posted, then 422 with the code and commandId', async () => {
    app.publisher.onPublished = decideEach(app);
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: nextId(), amount: '5000' }),
      headers: { prefer: 'respond-async, wait=99' },
    });
    assert.equal(response.status, 422);
    assert.equal(response.body.code, 'insufficient_funds');
    assert.equal(typeof response.body.commandId, 'string');
    assert.equal(response.headers.get('preference-applied'), 'wait=30', 'N is capped at 30');
  });

  void it('given Prefer: wait and no outcome in time, when posted, then 202 with Preference-Applied', async () => {
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: nextId() }),
      headers: { prefer: 'wait=1' },
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('preference-applied'), 'wait=1');
  });

  void it('given the outcome channel is down, when waiting, then 202 at once without Preference-Applied', async () => {
    app.outcomes.available = false;
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: nextId() }),
      headers: { prefer: 'wait=3' },
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('preference-applied'), null);
  });

  void it('given the same transfer twice, when posted, then the replay returns the original without a second publish', async () => {
    const body = transfer({ transferId: nextId() });
    const first = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    const published = app.publisher.published.length;
    const second = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: { ...body, amount: '250' },
    });
    assert.equal(second.status, 202);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.commandId, first.body.commandId);
    assert.equal(app.publisher.published.length, published);
  });

  void it('given a replay of a decided transfer, when posted, then it answers the current outcome', async () => {
    app.publisher.onPublished = decideEach(app);
    const body = transfer({ transferId: nextId() });
    const first = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    const replay = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    assert.equal(first.status, 202);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.status, 'applied');
  });

  void it('given the same key with another body, when posted, then 409 idempotency_conflict', async () => {
    const transferId = nextId();
    await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer({ transferId }) });
    const conflict = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId, amount: '251' }),
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.code, 'idempotency_conflict');
  });

  void it('given an Idempotency-Key and no transferId, when the same body is sent twice, then it replays', async () => {
    const headers = { 'idempotency-key': `key-${nextId()}` };
    const first = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer(),
      headers,
    });
    const second = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer(),
      headers,
    });
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.transferId, first.body.transferId);
  });

  void it('given an account, when opened twice and then with another body, then replay and 409 account_exists', async () => {
    const body = { accountId: 'acct-1', currency: 'EUR', metadata: { name: 'A' } };
    const first = await request(app.baseUrl, 'POST', '/v1/accounts', { body });
    assert.equal(first.status, 202);
    assert.equal(first.body.accountId, 'acct-1');
    assert.equal(app.publisher.published.at(-1)?.key, 'acct-1');
    const replay = await request(app.baseUrl, 'POST', '/v1/accounts', {
      body: { ...body, overdraftLimit: '0' },
    });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const other = await request(app.baseUrl, 'POST', '/v1/accounts', {
      body: { ...body, currency: 'USD' },
    });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'account_exists');
  });

  void it('given a command id, when fetched, then its state; unknown → 404; bad id → 400', async () => {
    app.publisher.onPublished = decideEach(app);
    const posted = await request(app.baseUrl, 'POST', '/v1/accounts', {
      body: { accountId: 'acct-2', currency: 'VND' },
    });
    const fetched = await request(
      app.baseUrl,
      'GET',
      `/v1/commands/${String(posted.body.commandId)}`,
    );
    assert.deepEqual(fetched.body, {
      commandId: posted.body.commandId,
      status: 'applied',
      versions: { 'acct-2': 1 },
    });
    app.publisher.onPublished = () => {};
    const accepted = await request(app.baseUrl, 'POST', '/v1/accounts', {
      body: { accountId: 'acct-3', currency: 'VND' },
    });
    const pending = await request(
      app.baseUrl,
      'GET',
      `/v1/commands/${String(accepted.body.commandId)}`,
    );
    assert.deepEqual(pending.body, { commandId: accepted.body.commandId, status: 'accepted' });
    assert.equal((await request(app.baseUrl, 'GET', '/v1/commands/nope')).status, 404);
    assert.equal((await request(app.baseUrl, 'GET', '/v1/commands/-bad')).body.code, 'invalid_id');
  });

  void it('given Kafka fails, when posted, then 503 overloaded and the key is free for the retry', async () => {
    const body = transfer({ transferId: nextId() });
    app.publisher.failWith = new Error('broker unreachable');
    const failed = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    assert.equal(failed.status, 503);
    assert.equal(failed.body.code, 'overloaded');
    assert.equal(failed.headers.get('retry-after'), '1');
    app.publisher.failWith = undefined;
    const retried = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    assert.equal(retried.status, 202);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
  });

  void it('given the producer queue is full, when posted, then its 503 and Retry-After pass through', async () => {
    app.publisher.failWith = new LedgerError('overloaded', 'queue full', { retryAfterSeconds: 3 });
    const failed = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: nextId() }),
    });
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '3');
  });

  void it('given the idempotency store is down, when posted, then the command is still accepted', async () => {
    app.idempotency.failing = true;
    try {
      const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
        body: transfer({ transferId: nextId() }),
      });
      assert.equal(response.status, 202);
    } finally {
      app.idempotency.failing = false;
    }
  });

  void it('given a replay whose original is not yet acknowledged, when posted, then 503 retry', async () => {
    const transferId = nextId();
    app.idempotency.keys.set(`transfer:${transferId}`, {
      commandId: 'in-flight',
      requestHash: 'never-matches',
      subjectId: transferId,
    });
    const conflict = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId }),
    });
    assert.equal(conflict.status, 409, 'a different hash is still a conflict');
    const body = transfer({ transferId: nextId() });
    const first = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    app.idempotency.confirmed.delete(String(first.body.commandId));
    const replay = await request(app.baseUrl, 'POST', '/v1/transfers', { body });
    assert.equal(replay.status, 503);
    assert.equal(replay.headers.get('retry-after'), '1');
  });
});
