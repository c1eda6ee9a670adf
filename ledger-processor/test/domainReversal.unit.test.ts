import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type { TransferPosted } from '../src/domain/index.ts';
import { decideBatch, emptySnapshot, snapshotKeys } from '../src/domain/index.ts';
import { eventIds, nowMs, openAccount, resent, transfer } from './domainFixtures.ts';
import { ModelLedger } from './domainModelLedger.ts';
import { reversalRejectionCases } from './domainReversalCases.ts';

/** alice funded with 100 by the bank, then 60 of it paid to bob as "pay-1". */
function givenAlicePaidBob(): ModelLedger {
  const ledger = new ModelLedger();
  ledger.run(
    [
      openAccount({ accountId: 'bank', overdraftLimit: 1_000_000n }),
      openAccount({ accountId: 'alice' }),
      openAccount({ accountId: 'bob' }),
      openAccount({ accountId: 'carol' }),
      transfer({ from: 'bank', to: 'alice', amount: 100n }),
    ],
    nowMs,
  );
  ledger.run([transfer({ from: 'alice', to: 'bob', amount: 60n, transferId: 'pay-1' })], nowMs);
  return ledger;
}

const reverse = (amount: bigint, transferId?: string) =>
  transfer({ from: 'bob', to: 'alice', amount, reversalOf: 'pay-1', transferId });

void describe('domain: reversals', () => {
  void it('given a posted transfer, when it is reversed whole, then a linked posting swaps it back and the original is untouched', () => {
    const ledger = givenAlicePaidBob();
    const original = ledger.transfers.get('pay-1')?.record;
    const result = ledger.run([reverse(60n, 'rev-1')], nowMs + 1);
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'applied');
    const event = result.events[0] as TransferPosted;
    assert.equal(event.type, 'TransferPosted');
    assert.equal(event.reversalOf, 'pay-1');
    assert.deepEqual(
      [event.debit.accountId, event.debit.balanceAfter, event.credit.balanceAfter],
      ['bob', 0n, 100n],
    );
    assert.equal(result.transfers[0]?.reversalOf, 'pay-1');
    assert.deepEqual(ledger.transfers.get('pay-1')?.record, original);
    ledger.assertInvariants();
  });

  void it('given partial reversals in separate batches, when they reach the amount, then one more minor unit is refused', () => {
    const ledger = givenAlicePaidBob();
    assert.equal(ledger.run([reverse(25n)], nowMs).decisions[0]?.kind, 'applied');
    assert.equal(ledger.run([reverse(35n)], nowMs).decisions[0]?.kind, 'applied');
    const [past] = ledger.run([reverse(1n)], nowMs).decisions;
    assert.equal(past?.outcome.code, 'reversal_exceeds_transfer');
    assert.equal(ledger.accounts.get('alice')?.balance, 100n);
    ledger.assertInvariants();
  });

  void it('given two reversals in one batch that together pass the amount, when decided, then the second is refused', () => {
    const ledger = givenAlicePaidBob();
    const result = ledger.run([reverse(40n), reverse(21n), reverse(20n)], nowMs);
    assert.deepEqual(
      result.decisions.map((d) => d.outcome.code ?? d.kind),
      ['applied', 'reversal_exceeds_transfer', 'applied'],
    );
    ledger.assertInvariants();
  });

  void it('given a refused reversal, when a smaller one follows, then the refused amount was not counted', () => {
    const ledger = givenAlicePaidBob();
    ledger.run([reverse(61n)], nowMs);
    assert.equal(ledger.run([reverse(60n)], nowMs).decisions[0]?.kind, 'applied');
    ledger.assertInvariants();
  });

  void it('given a posted reversal, when the same request comes again, then it is replayed and nothing more is taken back', () => {
    const ledger = givenAlicePaidBob();
    const first = reverse(60n, 'rev-1');
    ledger.run([first], nowMs);
    const result = ledger.run([resent(first)], nowMs + 1);
    assert.equal(result.decisions[0]?.kind, 'duplicate');
    assert.deepEqual([result.events, result.journal], [[], []]);
    assert.equal(ledger.accounts.get('bob')?.balance, 0n);
    ledger.assertInvariants();
  });

  void it('given a reversal, when it is itself reversed, then the money goes back to the first receiver', () => {
    const ledger = givenAlicePaidBob();
    ledger.run([reverse(60n, 'rev-1')], nowMs);
    const again = transfer({ from: 'alice', to: 'bob', amount: 60n, reversalOf: 'rev-1' });
    assert.equal(ledger.run([again], nowMs).decisions[0]?.kind, 'applied');
    assert.equal(ledger.accounts.get('bob')?.balance, 60n);
    ledger.assertInvariants();
  });

  void it('given a transfer and its reversal in the same batch, when decided, then the reversal sees the transfer', () => {
    const ledger = givenAlicePaidBob();
    const result = ledger.run(
      [
        transfer({ from: 'alice', to: 'carol', amount: 10n, transferId: 'pay-2' }),
        transfer({ from: 'carol', to: 'alice', amount: 10n, reversalOf: 'pay-2' }),
      ],
      nowMs,
    );
    assert.deepEqual(
      result.decisions.map((d) => d.kind),
      ['applied', 'applied'],
    );
    ledger.assertInvariants();
  });
});

void describe('domain: every reversal rejection, as a table', () => {
  for (const row of reversalRejectionCases) {
    void it(`given ${row.given}, when ${row.when}, then ${row.then}`, () => {
      const ledger = new ModelLedger();
      for (const stored of row.accounts) ledger.seed(stored);
      if (row.before.length > 0) ledger.run(row.before, nowMs);
      const result = ledger.run([row.command], nowMs + 1);
      const [decision] = result.decisions;
      assert.equal(decision?.kind, 'rejected');
      assert.equal(decision.outcome.code, row.then);
      assert.equal(result.events.length, 1);
      assert.equal(result.events[0]?.type, 'TransferRejected');
      assert.equal(
        result.events[0]?.type === 'TransferRejected' && result.events[0].reversalOf,
        row.command.type === 'Transfer' ? row.command.reversalOf : undefined,
      );
      assert.deepEqual([result.journal, result.accountsChanged], [[], []]);
    });
  }

  void it('given a snapshot that did not look up what a reversal names, when decided, then the decider refuses to guess', () => {
    const commands = [reverse(1n)];
    const keys = { ...snapshotKeys(commands), reversalsOf: [] };
    const snapshot = emptySnapshot(keys);
    assert.throws(
      () => decideBatch({ commands, snapshot, nowMs, nextEventId: eventIds() }),
      AssertionFailure,
    );
  });
});
