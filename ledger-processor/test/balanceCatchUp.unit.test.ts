import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalanceChanged, LedgerEvent } from '@ledger/schemas';
import { createQueuedBalances, isBefore, newestPerAccount } from '../src/balanceCatchUp.ts';
import { balanceChangesOf } from '../src/balanceMessages.ts';

const change = (accountId: string, version: number, revision?: number): BalanceChanged => ({
  accountId,
  currency: 'USD',
  balance: BigInt(version * 10),
  version,
  ...(revision === undefined ? {} : { revision }),
  updatedAt: version,
});

describe('balances changelog: what an event publishes', () => {
  it('given a posted transfer, when its balances are derived, then both legs go out with the event time and currency', () => {
    const event: LedgerEvent = {
      eventId: 'e',
      commandId: 'c',
      occurredAt: 1234,
      payload: {
        type: 'TransferPosted',
        transferId: 't',
        fromAccountId: 'a',
        toAccountId: 'b',
        amount: 5n,
        currency: 'EUR',
        metadata: {},
        debit: { accountId: 'a', balanceAfter: -5n, version: 3 },
        credit: { accountId: 'b', balanceAfter: 5n, version: 9 },
      },
    };
    assert.deepEqual(balanceChangesOf(event), [
      {
        accountId: 'a',
        currency: 'EUR',
        balance: -5n,
        available: -5n,
        version: 3,
        updatedAt: 1234,
      },
      { accountId: 'b', currency: 'EUR', balance: 5n, available: 5n, version: 9, updatedAt: 1234 },
    ]);
  });

  it('given a hold and its post, when their balances are derived, then available is balance minus held', () => {
    const leg = { accountId: 'a', balanceAfter: 100n, heldAfter: 30n, version: 4 };
    const pending: LedgerEvent = {
      eventId: 'e',
      commandId: 'c',
      occurredAt: 9,
      payload: {
        type: 'TransferPending',
        transferId: 'h',
        fromAccountId: 'a',
        toAccountId: 'b',
        amount: 30n,
        currency: 'USD',
        metadata: {},
        debit: leg,
      },
    };
    assert.deepEqual(balanceChangesOf(pending), [
      { accountId: 'a', currency: 'USD', balance: 100n, available: 70n, version: 4, updatedAt: 9 },
    ]);
    const posted: LedgerEvent = {
      ...pending,
      payload: {
        type: 'PendingPosted',
        transferId: 'h',
        fromAccountId: 'a',
        toAccountId: 'b',
        amount: 20n,
        pendingAmount: 30n,
        currency: 'USD',
        debit: { ...leg, balanceAfter: 80n, heldAfter: 0n, version: 5 },
        credit: { accountId: 'b', balanceAfter: 20n, heldAfter: 0n, version: 2 },
      },
    };
    assert.deepEqual(
      balanceChangesOf(posted).map((change) => [
        change.accountId,
        change.balance,
        change.available,
      ]),
      [
        ['a', 80n, 80n],
        ['b', 20n, 20n],
      ],
    );
  });

  it('given an opening and rejections, when their balances are derived, then only the opening publishes (version 1, zero)', () => {
    const opened: LedgerEvent = {
      eventId: 'e',
      commandId: 'c',
      occurredAt: 7,
      payload: {
        type: 'AccountOpened',
        accountId: 'a',
        currency: 'USD',
        overdraftLimit: 0n,
        metadata: {},
        version: 1,
        balance: 0n,
      },
    };
    const refused: LedgerEvent = {
      ...opened,
      payload: { type: 'AccountOpenRejected', accountId: 'a', code: 'account_exists' },
    };
    assert.deepEqual(balanceChangesOf(opened), [
      { ...change('a', 1), balance: 0n, available: 0n, updatedAt: 7 },
    ]);
    assert.deepEqual(balanceChangesOf(refused), []);
  });
});

describe('balances changelog: catching up with other writers', () => {
  it('given versions this instance queued, when a newer one is found in the ledger, then only versions beyond the queue need a republish', () => {
    const queued = createQueuedBalances();
    queued.enqueued([change('a', 4), change('a', 6), change('b', 2)]);
    assert.equal(queued.covers(change('a', 6)), true, 'our own queue publishes a@6 in order');
    assert.equal(queued.covers(change('a', 7)), false, 'another writer made a@7');
    assert.equal(queued.covers(change('c', 1)), false);
  });

  it('given queued versions, when they are published, then they leave the queue (it stays as small as the relay queue)', () => {
    const queued = createQueuedBalances();
    queued.enqueued([change('a', 4), change('a', 6)]);
    queued.published([change('a', 4)]);
    assert.equal(queued.covers(change('a', 6)), true, 'a@6 is still to come');
    queued.published([change('a', 6)]);
    assert.equal(queued.covers(change('a', 5)), false);
  });

  it('given several versions per account, when reduced, then the newest of each is kept', () => {
    assert.deepEqual(
      newestPerAccount([change('a', 2), change('b', 1), change('a', 3), change('a', 1)]).map(
        (entry) => `${entry.accountId}@${entry.version}`,
      ),
      ['a@3', 'b@1'],
    );
  });

  it('given a change queued at the version already published, when another writer published that version at revision 1, then the queue covers the revision (a change is not a duplicate)', () => {
    const queued = createQueuedBalances();
    queued.enqueued([change('a', 6, 1), change('a', 6, 2)]);
    queued.published([change('a', 6, 1)]);
    assert.equal(queued.covers(change('a', 6, 2)), true, 'a@6 revision 2 is still to come');
    assert.equal(queued.covers(change('a', 6, 3)), false, 'a later change is not ours');
    queued.published([change('a', 6, 2)]);
    assert.equal(queued.covers(change('a', 6, 2)), false);
  });

  it('given a version published with and without a revision, when reduced, then the higher revision is the newest and no revision counts as 1', () => {
    assert.deepEqual(
      newestPerAccount([change('a', 5, 2), change('a', 5), change('a', 4, 3)]).map(
        (entry) => `${entry.accountId}@${entry.version}r${entry.revision ?? '-'}`,
      ),
      ['a@5r2'],
    );
    assert.equal(isBefore(change('a', 5), change('a', 5, 2)), true);
    assert.equal(isBefore(change('a', 5, 1), change('a', 5)), false);
    assert.equal(isBefore(change('a', 5, 9), change('a', 6, 1)), true);
  });
});
