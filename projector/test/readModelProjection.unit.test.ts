import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type { LedgerEvent } from '@ledger/schemas';
import { projectEvents } from '../src/readModelProjection.ts';
import { leg, openRejected, opened, posted, rejected } from './eventFixtures.ts';

const t0 = Date.UTC(2026, 0, 15, 9, 30);

void describe('read-model projection (pure)', () => {
  void it('given an AccountOpened, when projected, then the account is at version 1 with balance 0 and its opening', () => {
    const changes = projectEvents([opened('alice', t0, 500n)]);
    assert.deepEqual(changes.accounts, [
      {
        accountId: 'alice',
        currency: 'USD',
        balance: 0n,
        held: 0n,
        version: 1,
        updatedAtMs: t0,
        opening: {
          overdraftLimit: 500n,
          status: 'open',
          metadata: { name: 'alice' },
          createdAtMs: t0,
        },
      },
    ]);
    assert.deepEqual(changes.history, []);
    assert.deepEqual(changes.transfers, []);
    assert.equal(changes.eventCounts.AccountOpened, 1);
  });

  void it('given a posted transfer, when projected, then both legs are history rows, both accounts move and the transfer is posted', () => {
    const changes = projectEvents([
      posted('t-1', 'fund', 'alice', 700n, leg(-700n, 2), leg(700n, 3), t0 + 5),
    ]);
    assert.deepEqual(
      changes.accounts.map((row) => [row.accountId, row.balance, row.version, row.opening]),
      [
        ['alice', 700n, 3, null],
        ['fund', -700n, 2, null],
      ],
    );
    assert.deepEqual(changes.history, [
      {
        accountId: 'alice',
        version: 3,
        transferId: 't-1',
        kind: 'posted',
        direction: 'credit',
        amount: 700n,
        balanceAfter: 700n,
        heldAfter: 0n,
        counterpartyAccountId: 'fund',
        postedAtMs: t0 + 5,
      },
      {
        accountId: 'fund',
        version: 2,
        transferId: 't-1',
        kind: 'posted',
        direction: 'debit',
        amount: 700n,
        balanceAfter: -700n,
        heldAfter: 0n,
        counterpartyAccountId: 'alice',
        postedAtMs: t0 + 5,
      },
    ]);
    assert.deepEqual(changes.transfers, [
      {
        transferId: 't-1',
        status: 'posted',
        fromAccountId: 'fund',
        toAccountId: 'alice',
        amount: 700n,
        currency: 'USD',
        code: null,
        postedAtMs: t0 + 5,
        decidedAtMs: t0 + 5,
      },
    ]);
  });

  void it('given versions of one account out of order in a batch, when projected, then the row carries the highest version and every leg is kept', () => {
    const changes = projectEvents([
      posted('t-3', 'bob', 'alice', 10n, leg(90n, 4), leg(30n, 3), t0 + 3),
      posted('t-2', 'carol', 'alice', 20n, leg(80n, 2), leg(20n, 2), t0 + 2),
    ]);
    const alice = changes.accounts.find((row) => row.accountId === 'alice');
    assert.equal(alice?.version, 3);
    assert.equal(alice?.balance, 30n);
    assert.equal(alice?.updatedAtMs, t0 + 3);
    assert.deepEqual(
      changes.history.filter((row) => row.accountId === 'alice').map((row) => row.version),
      [2, 3],
    );
  });

  void it('given a credit that arrives before the account opening, when both are projected, then the newest balance keeps the opening', () => {
    const changes = projectEvents([
      posted('t-1', 'fund', 'alice', 5n, leg(-5n, 2), leg(5n, 2), t0 + 1),
      opened('alice', t0),
    ]);
    const alice = changes.accounts.find((row) => row.accountId === 'alice');
    assert.equal(alice?.version, 2);
    assert.equal(alice?.balance, 5n);
    assert.equal(alice?.opening?.createdAtMs, t0);
  });

  void it('given an event delivered twice, when projected, then the rows are those of one delivery', () => {
    const event = posted('t-1', 'fund', 'alice', 5n, leg(-5n, 2), leg(5n, 2), t0);
    const once = projectEvents([opened('alice', t0 - 1), event]);
    const twice = projectEvents([
      opened('alice', t0 - 1),
      event,
      { ...event },
      opened('alice', t0 - 1),
    ]);
    assert.deepEqual(twice.accounts, once.accounts);
    assert.deepEqual(twice.history, once.history);
    assert.deepEqual(twice.transfers, once.transfers);
    assert.equal(twice.eventCounts.TransferPosted, 2, 'metrics still count what was delivered');
  });

  void it('given rejections, when projected, then only the transfer status changes: no balance, no history', () => {
    const changes = projectEvents([
      rejected('t-broke', 'alice', 'bob', 999n, 'insufficient_funds', t0),
      rejected('t-ghost', 'alice', 'ghost', 1n, 'account_not_found', t0 + 1),
      openRejected('alice', t0 + 2),
    ]);
    assert.deepEqual(changes.accounts, []);
    assert.deepEqual(changes.history, []);
    assert.deepEqual(
      changes.transfers.map((row) => [row.transferId, row.status, row.code, row.postedAtMs]),
      [
        ['t-broke', 'rejected', 'insufficient_funds', null],
        ['t-ghost', 'rejected', 'account_not_found', null],
      ],
    );
    assert.equal(changes.eventCounts.AccountOpenRejected, 1);
  });

  void it('given accounts touched in any order, when projected, then every row list is sorted by key (one lock order for all writers)', () => {
    const changes = projectEvents([
      opened('zed', t0),
      opened('Bob', t0),
      opened('alice', t0),
      opened('bob', t0),
    ]);
    assert.deepEqual(
      changes.accounts.map((row) => row.accountId),
      ['Bob', 'alice', 'bob', 'zed'],
    );
  });

  const impossible: [string, LedgerEvent[]][] = [
    [
      'one version with two balances',
      [
        posted('t-1', 'a', 'b', 5n, leg(-5n, 2), leg(5n, 2), t0),
        posted('t-2', 'a', 'c', 6n, leg(-6n, 2), leg(6n, 2), t0),
      ],
    ],
    [
      'one transfer both posted and rejected',
      [
        posted('t-1', 'a', 'b', 5n, leg(-5n, 2), leg(5n, 2), t0),
        rejected('t-1', 'a', 'b', 5n, 'insufficient_funds', t0),
      ],
    ],
    [
      'an opening at version 2',
      [{ ...opened('a', t0), payload: { ...opened('a', t0).payload, version: 2 } } as LedgerEvent],
    ],
  ];
  for (const [name, events] of impossible) {
    void it(`given ${name}, when projected, then it is an assertion failure (the log cannot say that)`, () => {
      assert.throws(() => projectEvents(events), AssertionFailure);
    });
  }
});
