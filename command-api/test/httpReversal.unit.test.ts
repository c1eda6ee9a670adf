import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createApiKeys } from '@ledger/runtime';
import type { Transfer } from '@ledger/schemas';
import { startTestApp, type TestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';
import { testApiKey } from '../../runtime/test/apiKeyFixtures.ts';

/** POST /v1/transfers/{transferId}/reverse over the in-memory fakes. */
void describe('reversal route', () => {
  const acme = testApiKey(['transfers:write'], 'acme-');
  const reader = testApiKey(['accounts:read']);
  const mover = testApiKey(['transfers:write']);
  let app: TestApp;
  const reverse = (id: string, body: unknown, headers: Record<string, string> = mover.headers) =>
    request(app.baseUrl, 'POST', `/v1/transfers/${id}/reverse`, { body, headers });
  const lastPublished = () => app.publisher.published.at(-1);

  before(async () => {
    app = await startTestApp({
      apiKeys: createApiKeys({ file: [acme.record, reader.record, mover.record] }),
    });
    for (const [transferId, fromAccountId, toAccountId] of [
      ['t-paid', 'alice', 'bob'],
      ['t-acme', 'acme-1', 'acme-2'],
      ['t-other', 'zeta-1', 'zeta-2'],
    ] as const) {
      app.transfers.decided.set(transferId, {
        transferId,
        fromAccountId,
        toAccountId,
        amount: 500n,
        currency: 'EUR',
        status: 'posted',
      });
    }
  });
  beforeEach(() => {
    app.publisher.onPublished = () => {};
  });
  after(() => app.close());

  void it('given a posted transfer, when reversed without an amount, then the whole amount goes back along the swapped path, keyed by the payer', async () => {
    const response = await reverse('t-paid', { transferId: 'r-1' });
    assert.equal(response.status, 202, response.text);
    assert.equal(response.body.transferId, 'r-1');
    const published = lastPublished();
    assert.equal(published?.key, 'bob');
    assert.deepEqual(published?.command.payload, {
      type: 'Transfer',
      transferId: 'r-1',
      fromAccountId: 'bob',
      toAccountId: 'alice',
      amount: 500n,
      currency: 'EUR',
      metadata: {},
      reversalOf: 't-paid',
    } satisfies Transfer);
  });

  void it('given an amount and metadata, when reversed, then the command carries them and the Idempotency-Key names it', async () => {
    const response = await reverse(
      't-paid',
      { amount: '120', metadata: { reason: 'refund' } },
      { ...mover.headers, 'idempotency-key': 'refund-7' },
    );
    assert.equal(response.status, 202, response.text);
    const command = lastPublished()?.command;
    assert.equal(command?.idempotencyKey, 'refund-7');
    assert.equal(command?.payload.type === 'Transfer' && command.payload.transferId, 'refund-7');
    assert.equal(command?.payload.type === 'Transfer' && command.payload.amount, 120n);
  });

  void it('given the same reversal twice, when sent again, then the original command is replayed, not published twice', async () => {
    const first = await reverse('t-paid', { transferId: 'r-twice', amount: '5' });
    const count = app.publisher.published.length;
    const again = await reverse('t-paid', { transferId: 'r-twice', amount: '5' });
    assert.equal(again.status, 202, again.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.commandId, first.body.commandId);
    assert.equal(app.publisher.published.length, count);
  });

  void it('given no decided transfer with the id, when reversed, then 404 not_found and nothing is published', async () => {
    const count = app.publisher.published.length;
    const response = await reverse('t-unknown', {});
    assert.equal(response.status, 404, response.text);
    assert.equal(response.body.code, 'not_found');
    assert.equal(app.publisher.published.length, count);
  });

  void it('given a tenant key, when it reverses another tenant’s transfer, then 404 as if unknown; its own is accepted', async () => {
    assert.equal((await reverse('t-other', {}, acme.headers)).status, 404);
    assert.equal((await reverse('t-acme', {}, acme.headers)).status, 202);
  });

  void it('given bad input, when reversed, then a problem document and nothing is published', async () => {
    const count = app.publisher.published.length;
    for (const [id, body, code] of [
      ['t-paid', { amount: '0' }, 'invalid_amount'],
      ['t-paid', { amount: 12 }, 'invalid_amount'],
      ['t-paid', { fromAccountId: 'x' }, 'invalid_request'],
      ['t-paid', [], 'invalid_request'],
      ['%ZZ', {}, 'invalid_id'],
      ['bad%20id', {}, 'invalid_id'],
    ] as const) {
      const response = await reverse(id, body);
      assert.equal(response.body.code, code, `${id} ${JSON.stringify(body)}: ${response.text}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    assert.equal(app.publisher.published.length, count);
  });

  void it('given a key without transfers:write, when it reverses, then 403 before the transfer is looked up', async () => {
    const response = await reverse('t-paid', {}, reader.headers);
    assert.equal(response.status, 403);
    assert.equal(response.body.code, 'forbidden');
  });
});
