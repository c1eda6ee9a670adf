import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchDecision, DomainCommand } from '../src/domain/index.ts';
import { givenAliceAndBob } from './domainAccountChangeCases.ts';
import { changeAccount, nowMs, settle, transfer } from './domainFixtures.ts';
import type { ModelLedger } from './domainModelLedger.ts';

/**
 * What a frozen account takes (docs/contract.md): no postings and no new holds on either side,
 * refused with the existing `account_closed`; voids and expiries of its holds still apply, as
 * they only release money. Each case freezes through a ChangeAccount, so the account comes from
 * the snapshot as the processor would load it.
 */
function givenHoldThenFrozen(frozen: 'alice' | 'bob'): ModelLedger {
  const ledger = givenAliceAndBob();
  ledger.run(
    [
      transfer({ from: 'alice', to: 'bob', amount: 30n, transferId: 'h-1', pending: {} }),
      transfer({ from: 'alice', to: 'bob', amount: 20n, transferId: 'h-2', pending: {} }),
      transfer({
        from: 'alice',
        to: 'bob',
        amount: 10n,
        transferId: 'h-3',
        pending: { timeoutSeconds: 1 },
      }),
      transfer({ from: 'alice', to: 'bob', amount: 10n, transferId: 'paid' }),
    ],
    nowMs,
  );
  ledger.run([changeAccount({ accountId: frozen, change: 'freeze' })], nowMs);
  return ledger;
}

const codeOf = (ledger: ModelLedger, command: DomainCommand, atMs = nowMs): string => {
  const result: BatchDecision = ledger.run([command], atMs);
  const [decision] = result.decisions;
  assert.ok(decision !== undefined);
  return decision.outcome.code ?? decision.kind;
};
const hold = (id: string) => ({ transferId: id, from: 'alice', to: 'bob' }) as const;

for (const frozen of ['alice', 'bob'] as const) {
  const side = frozen === 'alice' ? 'the payer' : 'the payee';
  void describe(`domain: a frozen account (${side})`, () => {
    void it(`given ${side} frozen, when a transfer either way, a hold or a reversal touches it, then account_closed`, () => {
      const ledger = givenHoldThenFrozen(frozen);
      const other = frozen === 'alice' ? 'bank' : 'alice';
      assert.equal(
        codeOf(ledger, transfer({ from: frozen, to: other, amount: 1n })),
        'account_closed',
      );
      assert.equal(
        codeOf(ledger, transfer({ from: other, to: frozen, amount: 1n })),
        'account_closed',
      );
      const newHold = transfer({ from: other, to: frozen, amount: 1n, pending: {} });
      assert.equal(codeOf(ledger, newHold), 'account_closed');
      const ownHold = transfer({ from: frozen, to: other, amount: 1n, pending: {} });
      assert.equal(codeOf(ledger, ownHold), 'account_closed');
      const reversal = transfer({ from: 'bob', to: 'alice', amount: 10n, reversalOf: 'paid' });
      assert.equal(codeOf(ledger, reversal), 'account_closed');
      ledger.assertInvariants();
    });

    void it(`given a hold alice → bob and ${side} frozen, when it is posted, then account_closed and it stays held`, () => {
      const ledger = givenHoldThenFrozen(frozen);
      assert.equal(codeOf(ledger, settle({ ...hold('h-1'), action: 'post' })), 'account_closed');
      assert.equal(ledger.accounts.get('alice')?.held, 60n);
      ledger.assertInvariants();
    });

    void it(`given holds alice → bob and ${side} frozen, when one is voided and one expires, then both are released`, () => {
      const ledger = givenHoldThenFrozen(frozen);
      assert.equal(codeOf(ledger, settle({ ...hold('h-2'), action: 'void' })), 'applied');
      const expiry = settle({ ...hold('h-3'), action: 'expire', asOfMs: nowMs + 1_000 });
      assert.equal(codeOf(ledger, expiry, nowMs + 1_000), 'applied');
      const alice = ledger.accounts.get('alice');
      assert.deepEqual(
        [alice?.balance, alice?.held, alice?.status],
        [90n, 30n, frozen === 'alice' ? 'frozen' : 'open'],
      );
      ledger.assertInvariants();
    });

    void it(`given ${side} frozen, when it is unfrozen, then the hold posts and transfers go ahead again`, () => {
      const ledger = givenHoldThenFrozen(frozen);
      assert.equal(
        codeOf(ledger, changeAccount({ accountId: frozen, change: 'unfreeze' })),
        'applied',
      );
      assert.equal(codeOf(ledger, settle({ ...hold('h-1'), action: 'post' })), 'applied');
      assert.equal(codeOf(ledger, transfer({ from: 'alice', to: 'bob', amount: 1n })), 'applied');
      ledger.assertInvariants();
    });
  });
}
