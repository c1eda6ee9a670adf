import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type {
  AccountChanged,
  AccountOpened,
  AccountState,
  PendingVoided,
  TransferPending,
  TransferPosted,
} from '../src/domain/index.ts';
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

  void it('given nothing, when AccountOpened, then the account is at revision 1', () => {
    assert.equal(evolve(undefined, opened)?.revision, 1);
  });
});

function changed(fields: Partial<AccountChanged>): AccountChanged {
  return {
    type: 'AccountChanged',
    eventId: 'e-c',
    commandId: 'c-c',
    occurredAtMs: nowMs,
    requestHash: 'c'.repeat(64),
    idempotencyKey: 'c-c',
    accountId: 'alice',
    change: 'freeze',
    status: 'frozen',
    metadata: {},
    revision: 2,
    version: 1,
    ...fields,
  };
}

const openAlice = (): AccountState => {
  const state = evolve(undefined, opened);
  assert.ok(state !== undefined);
  return state;
};

function hold(version: number, held: bigint, type: 'TransferPending'): TransferPending;
function hold(version: number, held: bigint, type: 'PendingVoided'): PendingVoided;
function hold(
  version: number,
  held: bigint,
  type: 'TransferPending' | 'PendingVoided',
): TransferPending | PendingVoided {
  const common = {
    eventId: `e-h${version}`,
    commandId: `c-h${version}`,
    occurredAtMs: nowMs,
    requestHash: 'd'.repeat(64),
    transferId: 'h-1',
    fromAccountId: 'alice',
    toAccountId: 'bob',
    amount: 5n,
    currency: 'USD',
    debit: { accountId: 'alice', balanceAfter: 0n, heldAfter: held, version },
  };
  return type === 'TransferPending'
    ? { ...common, type, idempotencyKey: 'h-1', metadata: {} }
    : { ...common, type, reason: 'voided' };
}

void describe('domain: evolve of account changes', () => {
  void it('given alice open at revision 1, when AccountChanged freezes her, then status and revision follow and her entries do not', () => {
    const state = evolve(openAlice(), changed({}));
    assert.deepEqual(
      [state?.status, state?.revision, state?.version, state?.balance],
      ['frozen', 2, 1, 0n],
    );
  });

  void it("given alice, when her metadata is replaced, then the whole map is the event's", () => {
    const state = evolve(
      { ...openAlice(), metadata: { a: '1', b: '2' } },
      changed({ change: 'update_metadata', status: 'open', metadata: { c: '3' } }),
    );
    assert.deepEqual(state?.metadata, { c: '3' });
  });

  void it('given alice, when an AccountChanged for bob passes by, then she is unchanged', () => {
    const alice = openAlice();
    assert.equal(evolve(alice, changed({ accountId: 'bob' })), alice);
  });

  void it('given alice at revision 1, when a change claims revision 3, then it crashes (revisions never skip)', () => {
    assert.throws(() => evolve(openAlice(), changed({ revision: 3 })), AssertionFailure);
  });

  void it('given alice at version 1, when a change states another version, then it crashes (a change is no entry)', () => {
    assert.throws(() => evolve(openAlice(), changed({ version: 2 })), AssertionFailure);
  });

  void it('given alice open, when an unfreeze or a freeze that states open comes, then it crashes (the transition is not allowed)', () => {
    const event = changed({ change: 'unfreeze', status: 'open' });
    assert.throws(() => evolve(openAlice(), event), AssertionFailure);
    assert.throws(() => evolve(openAlice(), changed({ status: 'open' })), AssertionFailure);
  });

  void it('given alice closed, when any change comes, then it crashes (closed is final)', () => {
    const closed = evolve(openAlice(), changed({ change: 'close', status: 'closed' }));
    const event = changed({ change: 'update_metadata', status: 'closed', revision: 3 });
    assert.throws(() => evolve(closed, event), AssertionFailure);
  });

  void it('given alice with a balance or something held, when a close comes, then it crashes (closed accounts are empty)', () => {
    const close = changed({ change: 'close', status: 'closed' });
    assert.throws(() => evolve({ ...openAlice(), balance: 1n }, close), AssertionFailure);
    assert.throws(() => evolve({ ...openAlice(), held: 1n }, close), AssertionFailure);
  });

  void it('given alice with metadata, when a freeze states other metadata, then it crashes (only update_metadata replaces it)', () => {
    const alice = { ...openAlice(), metadata: { a: '1' } };
    assert.throws(() => evolve(alice, changed({ metadata: { a: '2' } })), AssertionFailure);
    assert.equal(evolve(alice, changed({ metadata: { a: '1' } }))?.status, 'frozen');
  });

  void it('given alice frozen, when a posting or a new hold reaches her, then it crashes; the release of a hold applies', () => {
    const frozen = { ...openAlice(), overdraftLimit: 100n, status: 'frozen' as const };
    assert.throws(() => evolve(frozen, posted(1n, 2, -1n)), AssertionFailure);
    assert.throws(() => evolve(frozen, hold(2, 5n, 'TransferPending')), AssertionFailure);
    const holding = { ...frozen, held: 5n };
    const released = evolve(holding, hold(2, 0n, 'PendingVoided'));
    assert.deepEqual([released?.held, released?.version, released?.status], [0n, 2, 'frozen']);
  });
});
