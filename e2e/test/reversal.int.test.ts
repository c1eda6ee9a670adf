import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { assertProblem, call, startServices, type LedgerServices } from './authorizationSupport.ts';

/**
 * Reversals end to end over HTTP: the command API builds them from the ledger's transfers row,
 * the real processor decides them against the original and its earlier reversals, the projector
 * links them in the read model and the query API shows the link and the balances.
 */
void describe('reversals through the command API, processor, projector and query API', () => {
  let env: LedgerTestEnvironment;
  let services: LedgerServices;
  const wait = { prefer: 'wait=10' };
  const post = (path: string, body: unknown, headers: Record<string, string> = wait) =>
    call(services.urls.cmd, 'POST', path, undefined, { body, headers });
  const get = (path: string) => call(services.urls.query, 'GET', path, undefined);

  before(async () => {
    env = await createLedgerTestEnvironment('reversal');
    services = await startServices(env, {});
    for (const account of [
      { accountId: 'funding', currency: 'EUR', overdraftLimit: '1000000' },
      { accountId: 'alice', currency: 'EUR' },
      { accountId: 'bob', currency: 'EUR' },
    ]) {
      assert.equal((await post('/v1/accounts', account)).status, 201);
    }
    const paid = await post('/v1/transfers', {
      transferId: 't-pay',
      fromAccountId: 'funding',
      toAccountId: 'alice',
      amount: '1000',
      currency: 'EUR',
    });
    assert.equal(paid.status, 201, paid.text);
  });

  after(async () => {
    await services?.stop();
    await env?.teardown();
  });

  it('given a posted transfer, when part of it is reversed, then money goes back along its path and a retry replays', async () => {
    const body = { transferId: 'r-1', amount: '400', metadata: { reason: 'refund' } };
    const first = await post('/v1/transfers/t-pay/reverse', body);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.transferId, 'r-1');
    assert.deepEqual(first.body.balances, { alice: '600', funding: '-600' });
    const again = await post('/v1/transfers/t-pay/reverse', body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.commandId, first.body.commandId);
    const other = await post('/v1/transfers/t-pay/reverse', { ...body, amount: '401' });
    assertProblem(other, 409, 'idempotency_conflict');
  });

  it('given reversals taking back the rest, when one more unit is asked, then reversal_exceeds_transfer and nothing moves', async () => {
    const past = await post('/v1/transfers/t-pay/reverse', { transferId: 'r-2', amount: '601' });
    assertProblem(past, 422, 'reversal_exceeds_transfer');
    const rest = await post('/v1/transfers/t-pay/reverse', { transferId: 'r-3' });
    assert.equal(rest.status, 422, 'the default is the whole amount, 1000 > 600 left');
    const exact = await post('/v1/transfers/t-pay/reverse', { transferId: 'r-4', amount: '600' });
    assert.equal(exact.status, 201, exact.text);
    assertProblem(
      await post('/v1/transfers/t-pay/reverse', { transferId: 'r-5', amount: '1' }),
      422,
      'reversal_exceeds_transfer',
    );
    const balance = await get('/v1/accounts/alice/balance?minVersion=4');
    assert.equal(balance.status, 200, balance.text);
    assert.equal(balance.body.balance, '0');
  });

  it('given a rejected transfer or none, when reversed, then transfer_not_reversible or 404', async () => {
    const rejected = await post('/v1/transfers', {
      transferId: 't-too-much',
      fromAccountId: 'bob',
      toAccountId: 'alice',
      amount: '1',
      currency: 'EUR',
    });
    assertProblem(rejected, 422, 'insufficient_funds');
    assertProblem(
      await post('/v1/transfers/t-too-much/reverse', { transferId: 'r-6' }),
      422,
      'transfer_not_reversible',
    );
    assertProblem(await post('/v1/transfers/t-nothing/reverse', {}), 404, 'not_found');
  });

  it('given the reversals, when read from the query API, then each names the transfer it reverses and the original is unchanged', async () => {
    await waitUntil(async () => (await get('/v1/transfers/r-4')).status === 200, 'r-4 projected');
    const reversal = await get('/v1/transfers/r-1');
    assert.deepEqual(
      [reversal.body.status, reversal.body.fromAccountId, reversal.body.toAccountId],
      ['posted', 'alice', 'funding'],
    );
    assert.equal(reversal.body.reversalOf, 't-pay');
    const refused = await get('/v1/transfers/r-2');
    assert.deepEqual(
      [refused.body.code, refused.body.reversalOf],
      ['reversal_exceeds_transfer', 't-pay'],
    );
    const original = await get('/v1/transfers/t-pay');
    assert.deepEqual(
      [original.body.status, original.body.amount, 'reversalOf' in original.body],
      ['posted', '1000', false],
    );
    const history = await get('/v1/accounts/alice/transactions?limit=10');
    const items = history.body.items as { transferId: string; direction: string }[];
    assert.deepEqual(
      items.map((item) => [item.transferId, item.direction]),
      [
        ['r-4', 'debit'],
        ['r-1', 'debit'],
        ['t-pay', 'credit'],
      ],
    );
  });
});
