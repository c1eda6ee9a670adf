import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type { AccountOpened, TransferPosted } from '../src/domain/index.ts';
import { evolve } from '../src/domain/index.ts';
import { nowMs } from './domainFixtures.ts';

const opened: AccountOpened = {
  type: 'AccountOpened',
  eventId: 'e-1',
  commandId: 'c-1',
  occurredAtMs: nowMs,
  requestHash: 'a'.repeat(64),
  accountId: 'alice',
  currency: 'USD',
  overdraftLimit: 10n,
  status: 'open',
  metadata: {},
  version: 1,
  balance: 0n,
};

function posted(amount: bigint, debitVersion: number, debitBalance: bigint): TransferPosted {
  return {
    type: 'TransferPosted',
    eventId: `e-${debitVersion}`,
    commandId: `c-${debitVersion}`,
    occurredAtMs: nowMs,
    requestHash: 'b'.repeat(64),
    transferId: `t-${debitVersion}`,
    idempotencyKey: `t-${debitVersion}`,
    fromAccountId: 'alice',
    toAccountId: 'bob',
    amount,
    currency: 'USD',
    metadata: {},
    debit: { accountId: 'alice', balanceAfter: debitBalance, heldAfter: 0n, version: debitVersion },
    credit: { accountId: 'bob', balanceAfter: amount, heldAfter: 0n, version: 2 },
  };
}

void describe('domain: evolve', () => {
  void it('given nothing, when AccountOpened, then the account exists at version 1 with balance 0', () => {
    const state = evolve(undefined, opened);
    assert.equal(state?.version, 1);
    assert.equal(state.balance, 0n);
    assert.equal(state.openedByCommandId, 'c-1');
  });

  void it('given alice, when a posting debits her, then balance and version follow the leg', () => {
    const state = evolve(evolve(undefined, opened), posted(4n, 2, -4n));
    assert.deepEqual([state?.balance, state?.version], [-4n, 2]);
  });

  void it('given alice, when a posting for another account passes by, then she is unchanged', () => {
    const alice = evolve(undefined, opened);
    const other = {
      ...posted(1n, 2, -1n),
      debit: { accountId: 'carol', balanceAfter: -1n, heldAfter: 0n, version: 2 },
    };
    assert.equal(evolve(alice, other), alice);
  });

  void it('given alice at version 1, when a posting claims version 3, then it crashes (versions never skip)', () => {
    assert.throws(() => evolve(evolve(undefined, opened), posted(1n, 3, -1n)), AssertionFailure);
  });

  void it('given alice, when a leg states a balance that is not balance − amount, then it crashes', () => {
    assert.throws(() => evolve(evolve(undefined, opened), posted(1n, 2, -2n)), AssertionFailure);
  });

  void it('given alice with an overdraft of 10, when a leg takes her to −11, then it crashes', () => {
    assert.throws(() => evolve(evolve(undefined, opened), posted(11n, 2, -11n)), AssertionFailure);
  });

  void it('given alice, when AccountOpened comes again for her, then it crashes', () => {
    assert.throws(() => evolve(evolve(undefined, opened), opened), AssertionFailure);
  });
});
