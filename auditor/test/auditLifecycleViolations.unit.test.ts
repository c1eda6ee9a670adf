import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountChanged } from '@ledger/schemas';
import type { AuditInput } from '../src/auditState.ts';
import { byPartition, withPayload } from './handBuiltLog.ts';
import { chainedFundedLog as fundedLog } from './lifecycleLog.ts';
import { audit, assertViolation } from './pendingLog.ts';

describe('auditor core: account lifecycle, hand-corrupted changes', () => {
  it('given an AccountChanged a revision past the next, when checked, then revision_gap names it', () => {
    const log = fundedLog();
    log.change('alice', 'freeze');
    const skipped = log.change('alice', 'unfreeze', { revision: 4 });
    const violation = assertViolation(log.inputs, 'revision_gap', skipped);
    assert.equal(violation.accountId, 'alice');
    assert.equal(violation.expected, 'revision 3 after 2: one per applied change');
    assert.equal(violation.found, 'revision 4: no change at 3');
  });

  it('given an AccountChanged at a revision the account already had, when checked, then revision_reused names it', () => {
    const log = fundedLog();
    log.change('alice', 'update_metadata', { metadata: { a: '1' } });
    const again = log.change('alice', 'update_metadata', { metadata: { a: '2' }, revision: 2 });
    assertViolation(log.inputs, 'revision_reused', again);
  });

  it('given a freeze of a frozen account, when checked, then invalid_transition names the second freeze', () => {
    const log = fundedLog();
    log.change('alice', 'freeze');
    const second = log.change('alice', 'freeze');
    const violation = assertViolation(log.inputs, 'invalid_transition', second);
    assert.equal(violation.expected, 'a freeze of an open account, leaving it frozen');
    assert.equal(violation.found, 'a freeze of a frozen account');
  });

  it('given an unfreeze of an open account, when checked, then invalid_transition names it', () => {
    const log = fundedLog();
    assertViolation(log.inputs, 'invalid_transition', log.change('alice', 'unfreeze'));
  });

  it('given a change after a close, when checked, then invalid_transition names it: closed is final', () => {
    const log = fundedLog();
    log.change('bob', 'close');
    const after = log.change('bob', 'update_metadata', { metadata: { late: 'yes' } });
    const violation = assertViolation(log.inputs, 'invalid_transition', after);
    assert.equal(violation.found, 'an update_metadata of a closed account (closed is final)');
  });

  it('given a metadata update that changes the status, when checked, then invalid_transition names it', () => {
    const log = fundedLog();
    log.change('alice', 'freeze');
    const update = log.change('alice', 'update_metadata', { metadata: {}, status: 'open' });
    const violation = assertViolation(log.inputs, 'invalid_transition', update);
    assert.match(violation.found, /leaving it open, not frozen/);
  });

  it('given an AccountChanged of an account never opened, when checked, then change_without_account names it', () => {
    const log = fundedLog();
    const ghost = log.change('ghost', 'freeze', { partition: 1 });
    assertViolation(log.inputs, 'change_without_account', ghost);
  });

  it('given a freeze whose content was changed after linking (revision raised), when checked, then the revision is named before the chain', () => {
    const log = fundedLog();
    const freeze = log.change('alice', 'freeze');
    const corrupt = withPayload(freeze, (p) => ({ ...(p as AccountChanged), revision: 3 }));
    const inputs = log.inputs.map((input) => (input === freeze ? corrupt : input));
    assertViolation(inputs, 'revision_gap', corrupt);
  });
});

describe('auditor core: account lifecycle, entries on accounts not open', () => {
  it('given a posting from a frozen account, when checked, then account_not_open names the posting', () => {
    const log = fundedLog();
    log.change('alice', 'freeze');
    const posting = log.post('t-1', 'alice', 'carol', 10n);
    const violation = assertViolation(log.inputs, 'account_not_open', posting);
    assert.equal(violation.accountId, 'alice');
    assert.equal(violation.expected, 'the debit at version 3 of transfer t-1 on an open account');
    assert.equal(violation.found, 'the account was frozen (revision 2) when it was decided');
  });

  it('given a posting to a frozen account in the same chain, when checked, then account_not_open names it', () => {
    const log = fundedLog();
    log.change('bob', 'freeze');
    const posting = log.post('t-1', 'funding', 'bob', 10n); // funding and bob: both chain 0
    const violation = assertViolation(log.inputs, 'account_not_open', posting);
    assert.equal(violation.accountId, 'bob');
  });

  it('given a hold to a frozen payee in the same chain, or on a frozen account, when checked, then account_not_open names the hold', () => {
    const log = fundedLog();
    log.change('bob', 'freeze');
    assertViolation(log.inputs, 'account_not_open', log.hold('h-1', 'funding', 'bob', 10n));
    const own = fundedLog();
    own.change('alice', 'freeze');
    assertViolation(own.inputs, 'account_not_open', own.hold('h-1', 'alice', 'bob', 10n));
  });

  it('given a hold posted after its account was frozen, when checked, then account_not_open names the post, while an expiry of it passes', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'carol', 100n);
    log.change('alice', 'freeze');
    const post = log.postPending('h-1');
    assertViolation(log.inputs, 'account_not_open', post);
    const released = fundedLog();
    released.hold('h-1', 'alice', 'carol', 100n, 1_800_000_000_000);
    released.change('alice', 'freeze');
    released.voidPending('h-1', { reason: 'expired' });
    const { result } = audit(released.inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
  });

  it("given a chain read out of order (a reader may get one chain from two partitions), when checked, then the chain's order decides which entries follow a freeze", () => {
    const log = fundedLog();
    const before = log.post('t-1', 'alice', 'carol', 10n);
    const freeze = log.change('alice', 'freeze');
    const after = log.post('t-2', 'alice', 'carol', 10n);
    const swap = (a: AuditInput, b: AuditInput) =>
      log.inputs.map((input) => (input === a ? b : input === b ? a : input));
    // The freeze read first waits for its link's predecessor, the posting decided before it.
    const { result } = audit(swap(before, freeze).slice(0, -1));
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    // The posting decided after the freeze, read first, waits for it and is then named.
    assertViolation(swap(freeze, after), 'account_not_open', after);
  });

  it('given a debit from a closed account, when checked, then account_not_open names it', () => {
    const log = fundedLog();
    log.change('carol', 'close');
    const debit = log.post('t-1', 'carol', 'funding', 10n); // within carol's overdraft
    const violation = assertViolation(log.inputs, 'account_not_open', debit);
    assert.match(violation.found, /closed \(revision 2\)/);
  });
});

describe('auditor core: account lifecycle, closes', () => {
  it('given a close of an account with a balance, when checked, then closed_with_balance names the close', () => {
    const log = fundedLog();
    const close = log.change('alice', 'close');
    const violation = assertViolation(log.inputs, 'closed_with_balance', close);
    assert.equal(violation.accountId, 'alice');
    assert.equal(violation.found, 'balance 1000 and 0 held at version 2');
  });

  it('given a close of an account with a hold and balance 0, when checked, then closed_with_balance names the close', () => {
    const log = fundedLog();
    log.hold('h-1', 'carol', 'funding', 50n); // within carol's overdraft
    const close = log.change('carol', 'close');
    const violation = assertViolation(log.inputs, 'closed_with_balance', close);
    assert.equal(violation.found, 'balance 0 and 50 held at version 2');
  });

  it('given a credit from another chain at a version past a close at 0, when checked, then account_not_open names the credit, in either read order', () => {
    const log = fundedLog();
    log.change('carol', 'close'); // at version 1
    const credit = log.post('t-1', 'funding', 'carol', 10n); // chain 0: version 2, past the close
    const violation = assertViolation(log.inputs, 'account_not_open', credit);
    assert.equal(violation.accountId, 'carol');
    assert.equal(violation.expected, 'the credit at version 2 of transfer t-1 on an open account');
    assert.equal(
      violation.found,
      'the account was closed at version 1: no entry may have a higher one',
    );
    // Chain 0 read first: the credit is seen before the close, which finds it above its version.
    assertViolation(byPartition(log.inputs), 'account_not_open', credit);
  });

  it('given a hold on an account after its close, when checked, then account_not_open names the hold, not the close', () => {
    const log = fundedLog();
    log.change('carol', 'close');
    const hold = log.hold('h-1', 'carol', 'funding', 50n); // within carol's overdraft
    const violation = assertViolation(log.inputs, 'account_not_open', hold);
    assert.equal(violation.expected, 'the hold at version 2 of transfer h-1 on an open account');
  });

  it('given a close of an account below 0, when checked, then closed_with_balance names the close: its version shows the balance', () => {
    const log = fundedLog();
    log.post('t-1', 'carol', 'funding', 300n);
    const close = log.change('carol', 'close');
    const violation = assertViolation(log.inputs, 'closed_with_balance', close);
    assert.equal(
      violation.expected,
      'a close at version 2 with balance 0 and nothing held at that version',
    );
    assert.equal(violation.found, 'balance -300 and 0 held at version 2');
  });
});

describe('auditor core: account lifecycle, refused changes', () => {
  it('given account_not_found for an account opened before it, when checked, then change_rejection_mismatch names it', () => {
    const log = fundedLog();
    const rejected = log.rejectChange('alice', 'freeze', 'account_not_found');
    const violation = assertViolation(log.inputs, 'change_rejection_mismatch', rejected);
    assert.equal(violation.expected, 'no account_not_found: it was opened before');
  });

  it('given another code for an account never opened, when checked, then change_rejection_mismatch names it', () => {
    const log = fundedLog();
    const rejected = log.rejectChange('ghost', 'close', 'account_not_empty', 1);
    assertViolation(log.inputs, 'change_rejection_mismatch', rejected);
  });

  it('given account_status_conflict for a freeze of an open account, or account_closed for one not closed, when checked, then change_rejection_mismatch names each', () => {
    const log = fundedLog();
    const conflict = log.rejectChange('alice', 'freeze', 'account_status_conflict');
    assertViolation(log.inputs, 'change_rejection_mismatch', conflict);
    const open = fundedLog();
    assertViolation(
      open.inputs,
      'change_rejection_mismatch',
      open.rejectChange('alice', 'update_metadata', 'account_closed'),
    );
  });

  it('given a change of a closed account refused with anything but account_closed, when checked, then change_rejection_mismatch names it', () => {
    const log = fundedLog();
    log.change('bob', 'close');
    const rejected = log.rejectChange('bob', 'unfreeze', 'account_status_conflict');
    const violation = assertViolation(log.inputs, 'change_rejection_mismatch', rejected);
    assert.equal(
      violation.expected,
      'account_closed: every change of a closed account is refused so',
    );
  });

  it('given account_not_empty for a change that is not a close, when checked, then change_rejection_mismatch names it', () => {
    const log = fundedLog();
    const rejected = log.rejectChange('alice', 'freeze', 'account_not_empty');
    assertViolation(log.inputs, 'change_rejection_mismatch', rejected);
  });
});
