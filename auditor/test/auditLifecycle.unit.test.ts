import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditState } from '../src/auditState.ts';
import { byPartition, handBuiltLog } from './handBuiltLog.ts';
import { lifecycleLog } from './lifecycleLog.ts';
import { assertViolation, audit } from './pendingLog.ts';

function lifeOf(state: AuditState, accountId: string) {
  const book = state.accounts.get(accountId);
  assert.ok(book?.life, accountId);
  return { status: book.life.status, revision: book.life.revision, balance: book.balance };
}

describe('auditor core: account lifecycle, a correct log', () => {
  it('given freezes, unfreezes, metadata updates, closes at 0 and refused changes, when checked in write order, then it passes with accounts by status and changes', () => {
    const { result, state } = audit(lifecycleLog().inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.deepEqual(result.totals, {
      eventsByType: {
        AccountChangeRejected: 3,
        AccountChanged: 7,
        AccountOpened: 5,
        PendingVoided: 1,
        TransferPending: 1,
        TransferPosted: 5,
        TransferRejected: 1,
      },
      identicalDuplicates: 0,
      postedByCurrency: { USD: { transfers: 5, amount: '2000' } },
      pendingByCurrency: {},
      accountsOpened: 5,
      accountsByStatus: { open: 2, frozen: 1, closed: 2 },
      accountChanges: { freeze: 2, unfreeze: 1, close: 2, update_metadata: 2 },
      finalBalanceSumByCurrency: { USD: '0' },
    });
    assert.deepEqual(lifeOf(state, 'alice'), { status: 'open', revision: 4, balance: 800n });
    assert.deepEqual(lifeOf(state, 'bob'), { status: 'frozen', revision: 3, balance: 0n });
    assert.deepEqual(lifeOf(state, 'carol'), { status: 'closed', revision: 2, balance: 0n });
    assert.deepEqual(lifeOf(state, 'dave'), { status: 'closed', revision: 2, balance: 0n });
    assert.equal(state.accounts.get('ghost'), undefined, 'a refused change makes no account');
  });

  it("given the same log read partition by partition (dave's credit from chain 0 before his own entries), when checked, then it passes", () => {
    const { result } = audit(byPartition(lifecycleLog().inputs));
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.deepEqual(result.totals.accountsByStatus, { open: 2, frozen: 1, closed: 2 });
  });

  it('given the same log without chain links, when checked, then each partition is its decision order and it passes', () => {
    const { result, state } = audit(lifecycleLog({ chained: false }).inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.equal(state.unchainedEvents, 23);
    assert.deepEqual(result.totals.accountChanges, {
      freeze: 2,
      unfreeze: 1,
      close: 2,
      update_metadata: 2,
    });
  });

  it('given an AccountChanged republished identically, when checked, then it is a duplicate, not a second change', () => {
    const log = lifecycleLog();
    const freeze = log.inputs.find((input) => input.event.payload.type === 'AccountChanged')!;
    const republished = { ...freeze, position: { ...freeze.position, offset: '99' } };
    const { result } = audit([...log.inputs, republished]);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.equal(result.totals.identicalDuplicates, 1);
    assert.equal(result.totals.accountChanges.update_metadata, 2);
  });

  it('given a log before account changes, when checked, then every opened account is open and no change is counted', () => {
    const log = handBuiltLog();
    log.open('funding', { overdraft: 100n });
    log.open('alice', { partition: 1 });
    log.post('t-1', 'funding', 'alice', 100n);
    const { result } = audit(log.inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.deepEqual(result.totals.accountsByStatus, { open: 2, frozen: 0, closed: 0 });
    assert.deepEqual(result.totals.accountChanges, {
      freeze: 0,
      unfreeze: 0,
      close: 0,
      update_metadata: 0,
    });
  });
});

describe('auditor core: account lifecycle, credits from other chains', () => {
  it('given a credit to a frozen account from another chain (once not provable), when checked, then its version places it after the freeze and account_not_open names it, in either read order', () => {
    const log = handBuiltLog('audit-test.events', { chained: true, v3: true });
    log.open('funding', { overdraft: 1_000n });
    log.open('alice', { partition: 1 });
    log.change('alice', 'freeze'); // at version 1
    const credit = log.post('t-1', 'funding', 'alice', 10n); // chain 0: version 2
    const violation = assertViolation(log.inputs, 'account_not_open', credit);
    assert.equal(violation.accountId, 'alice');
    assert.equal(violation.expected, 'the credit at version 2 of transfer t-1 on an open account');
    assert.equal(
      violation.found,
      'the account was frozen from version 1 on (no unfreeze; its last version is 2)',
    );
    assertViolation(byPartition(log.inputs), 'account_not_open', credit);
  });
});
