import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventPayload, LedgerEvent } from '@ledger/schemas';
import { batchBalances, type AccountBefore } from '../src/balanceMessages.ts';

const before = (accountId: string, fields: Partial<AccountBefore> = {}): AccountBefore => ({
  accountId,
  currency: 'USD',
  balance: 0n,
  held: 0n,
  version: 1,
  revision: 1,
  ...fields,
});

const at = (occurredAt: number, payload: EventPayload): LedgerEvent => ({
  eventId: `e-${occurredAt}`,
  commandId: `c-${occurredAt}`,
  occurredAt,
  payload,
});

/** `account v<version> r<revision> <balance>/<available>` per balance, for short expectations. */
const shown = (balances: ReturnType<ReturnType<typeof batchBalances>>): string[] =>
  balances.map(
    (b) =>
      `${b.accountId} v${b.version} r${b.revision} ${b.balance}/${b.available} @${b.updatedAt}`,
  );

void describe('balances changelog: the balances of one batch', () => {
  void it('given alice at revision 2 holding 30, when a payment, a freeze and a void follow in one batch, then every balance says her revision there and the freeze publishes her balance as the payment left it', () => {
    const balancesOf = batchBalances([
      before('alice', { balance: 100n, held: 30n, version: 4, revision: 2 }),
      before('bob'),
    ]);
    const payment = balancesOf(
      at(1, {
        type: 'TransferPosted',
        transferId: 't',
        fromAccountId: 'alice',
        toAccountId: 'bob',
        amount: 10n,
        currency: 'USD',
        metadata: {},
        debit: { accountId: 'alice', balanceAfter: 90n, heldAfter: 30n, version: 5 },
        credit: { accountId: 'bob', balanceAfter: 10n, version: 2 },
      }),
    );
    const freeze = balancesOf(
      at(2, {
        type: 'AccountChanged',
        accountId: 'alice',
        change: 'freeze',
        status: 'frozen',
        metadata: {},
        revision: 3,
        version: 5,
      }),
    );
    const release = balancesOf(
      at(3, {
        type: 'PendingVoided',
        transferId: 'h',
        fromAccountId: 'alice',
        toAccountId: 'bob',
        amount: 30n,
        currency: 'USD',
        reason: 'voided',
        debit: { accountId: 'alice', balanceAfter: 90n, heldAfter: 0n, version: 6 },
      }),
    );
    assert.deepEqual(
      [...shown(payment), ...shown(freeze), ...shown(release)],
      [
        'alice v5 r2 90/60 @1',
        'bob v2 r1 10/10 @1',
        'alice v5 r3 90/60 @2',
        'alice v6 r3 90/90 @3',
      ],
    );
  });

  void it('given an account the batch opens and changes, when its balances are derived, then the change publishes the opening balance at revision 2', () => {
    const balancesOf = batchBalances([]);
    const opened = balancesOf(
      at(1, {
        type: 'AccountOpened',
        accountId: 'carol',
        currency: 'EUR',
        overdraftLimit: 0n,
        metadata: {},
        version: 1,
        balance: 0n,
      }),
    );
    const renamed = balancesOf(
      at(2, {
        type: 'AccountChanged',
        accountId: 'carol',
        change: 'update_metadata',
        status: 'open',
        metadata: { name: 'Carol' },
        revision: 2,
        version: 1,
      }),
    );
    assert.deepEqual(
      [...shown(opened), ...shown(renamed)],
      ['carol v1 r1 0/0 @1', 'carol v1 r2 0/0 @2'],
    );
    assert.equal(renamed[0]?.currency, 'EUR');
  });

  void it('given a refused change, when its balances are derived, then there are none', () => {
    const balancesOf = batchBalances([before('alice')]);
    const refused = balancesOf(
      at(1, {
        type: 'AccountChangeRejected',
        accountId: 'alice',
        change: 'close',
        code: 'account_not_empty',
      }),
    );
    assert.deepEqual(refused, []);
  });

  void it('given an AccountChanged at a version the batch never saw the account at, when derived, then it crashes (its balance would be a guess)', () => {
    const balancesOf = batchBalances([before('alice', { version: 4 })]);
    const event = at(1, {
      type: 'AccountChanged',
      accountId: 'alice',
      change: 'freeze',
      status: 'frozen',
      metadata: {},
      revision: 2,
      version: 3,
    });
    assert.throws(() => balancesOf(event), /states version 3/);
    assert.throws(() => batchBalances([])(event), /unknown to its batch/);
  });
});
