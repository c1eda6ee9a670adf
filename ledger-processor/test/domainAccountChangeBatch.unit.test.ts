import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeAccount, nowMs, openAccount, settle, transfer } from './domainFixtures.ts';
import { givenAliceAndBob, outcomesOf, settingsOf } from './domainAccountChangeCases.ts';
import { ModelLedger } from './domainModelLedger.ts';

void describe('domain: account changes in one batch, in log order', () => {
  void it('given alice with 100, when one batch freezes her and then she sends, then the transfer is account_closed', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'freeze' }),
        transfer({ from: 'alice', to: 'bob', amount: 10n }),
        transfer({ from: 'bob', to: 'alice', amount: 1n }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'account_closed', 'account_closed']);
    assert.deepEqual(result.journal, []);
    ledger.assertInvariants();
  });

  void it('given alice with 100, when one batch sends all of it and then closes her, then the close goes ahead', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'close' }),
        transfer({ from: 'alice', to: 'bob', amount: 100n }),
        changeAccount({ accountId: 'alice', change: 'close' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['account_not_empty', 'applied', 'applied']);
    assert.deepEqual(settingsOf(ledger, 'alice'), ['closed', 2, 3, { owner: 'alice' }]);
    assert.deepEqual(result.accountsChanged[0], {
      accountId: 'alice',
      expectedVersion: 2,
      version: 3,
      balance: 0n,
      held: 0n,
      expectedRevision: 1,
      revision: 2,
      status: 'closed',
      metadata: { owner: 'alice' },
    });
    ledger.assertInvariants();
  });

  void it('given alice, when one batch holds 30, closes her, voids the hold and closes her again, then only the second close goes ahead', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        transfer({ from: 'alice', to: 'bob', amount: 100n }),
        transfer({ from: 'bob', to: 'alice', amount: 30n, transferId: 'h-1', pending: {} }),
        changeAccount({ accountId: 'bob', change: 'close' }),
        settle({ transferId: 'h-1', from: 'bob', to: 'alice', action: 'void' }),
        transfer({ from: 'bob', to: 'alice', amount: 100n }),
        changeAccount({ accountId: 'bob', change: 'close' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), [
      'applied',
      'applied',
      'account_not_empty',
      'applied',
      'applied',
      'applied',
    ]);
    assert.deepEqual(settingsOf(ledger, 'bob')[0], 'closed');
    ledger.assertInvariants();
  });

  void it('given alice, when one batch freezes, unfreezes and renames her, then revisions 2, 3, 4 are written in order and a transfer after goes ahead', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'freeze', expectedRevision: 1 }),
        changeAccount({ accountId: 'alice', change: 'unfreeze', expectedRevision: 2 }),
        changeAccount({ accountId: 'alice', change: 'update_metadata', metadata: { n: '1' } }),
        changeAccount({ accountId: 'alice', change: 'freeze', expectedRevision: 3 }),
        transfer({ from: 'alice', to: 'bob', amount: 5n }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), [
      'applied',
      'applied',
      'applied',
      'revision_conflict',
      'applied',
    ]);
    assert.deepEqual(
      result.accountChanges.map((c) => [c.revision, c.change, c.status]),
      [
        [2, 'freeze', 'frozen'],
        [3, 'unfreeze', 'open'],
        [4, 'update_metadata', 'open'],
      ],
    );
    assert.deepEqual(result.decisions[4]?.outcome.versions, { alice: 3, bob: 2 });
    assert.deepEqual(settingsOf(ledger, 'alice'), ['open', 4, 3, { n: '1' }]);
    ledger.assertInvariants();
  });

  void it('given one batch that opens an account, when it is changed in the same batch, then the opened row carries its final settings', () => {
    const ledger = new ModelLedger();
    const result = ledger.run(
      [
        openAccount({ accountId: 'dora', metadata: { a: '1' } }),
        changeAccount({ accountId: 'dora', change: 'update_metadata', metadata: { b: '2' } }),
        changeAccount({ accountId: 'dora', change: 'close' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'applied', 'applied']);
    const [opened] = result.accountsOpened;
    assert.deepEqual(
      [opened?.status, opened?.revision, opened?.metadata],
      ['closed', 3, { b: '2' }],
    );
    assert.deepEqual(result.accountsChanged, []);
    assert.deepEqual(
      result.accountChanges.map((c) => c.revision),
      [2, 3],
    );
    ledger.assertInvariants();
  });
});
