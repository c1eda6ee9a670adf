import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditInput } from '../src/auditState.ts';
import { byPartition } from './handBuiltLog.ts';
import { chainedFundedLog as fundedLog } from './lifecycleLog.ts';
import { audit, assertViolation } from './pendingLog.ts';

/** The log with `first` moved to just before `before` (another read order of two partitions). */
function readBefore(inputs: readonly AuditInput[], first: AuditInput, before: AuditInput) {
  const rest = inputs.filter((input) => input !== first);
  rest.splice(rest.indexOf(before), 0, first);
  return rest;
}

describe('auditor core: account lifecycle by versions, freezes and credits from other chains', () => {
  it('given a credit from another chain inside a freeze (between its version and the unfreeze’s), when checked, then account_not_open names the credit, in either read order', () => {
    const log = fundedLog(); // alice (chain 1) funded from chain 0 at version 2
    log.change('alice', 'freeze'); // version 2
    const credit = log.post('t-1', 'funding', 'alice', 10n); // chain 0, version 3
    log.change('alice', 'unfreeze'); // version 3: the credit was decided while frozen
    const violation = assertViolation(log.inputs, 'account_not_open', credit);
    assert.equal(violation.accountId, 'alice');
    assert.equal(violation.expected, 'the credit at version 3 of transfer t-1 on an open account');
    assert.equal(violation.found, 'the account was frozen from version 2 to 3');
    assertViolation(byPartition(log.inputs), 'account_not_open', credit);
  });

  it('given a credit from another chain after an unfreeze, when checked, then it passes in either read order', () => {
    const log = fundedLog();
    log.change('alice', 'freeze'); // version 2
    log.change('alice', 'unfreeze'); // version 2: nothing decided while frozen
    log.post('t-1', 'funding', 'alice', 10n); // chain 0, version 3
    for (const inputs of [log.inputs, byPartition(log.inputs)]) {
      const { result } = audit(inputs);
      assert.ok(result.outcome === 'ok', JSON.stringify(result));
    }
  });

  it('given releases of its own while frozen, when the unfreeze comes, then they are the versions it spans and it passes', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 100n); // version 3
    log.hold('h-2', 'alice', 'bob', 100n, 1_800_000_000_000); // version 4
    log.change('alice', 'freeze'); // version 4
    log.voidPending('h-1'); // 5
    log.voidPending('h-2', { reason: 'expired' }); // 6
    log.change('alice', 'unfreeze'); // version 6
    log.post('t-1', 'funding', 'alice', 10n); // chain 0, version 7
    for (const inputs of [log.inputs, byPartition(log.inputs)]) {
      const { result } = audit(inputs);
      assert.ok(result.outcome === 'ok', JSON.stringify(result));
    }
  });

  it('given a credit inside a freeze read, with a later one, before the freeze (chain 0 read first), when the unfreeze comes, then account_not_open names the unfreeze: its span holds an entry that is not its own', () => {
    const log = fundedLog();
    log.change('alice', 'freeze'); // version 2
    const inside = log.post('t-1', 'funding', 'alice', 10n); // version 3
    const unfreeze = log.change('alice', 'unfreeze'); // version 3
    log.post('t-2', 'funding', 'alice', 10n); // version 4: after the unfreeze, fine
    assertViolation(log.inputs, 'account_not_open', inside);
    // The later credit (the highest seen) is all that is remembered: the count names the span.
    const violation = assertViolation(byPartition(log.inputs), 'account_not_open', unfreeze);
    assert.equal(
      violation.expected,
      'versions 3–3, decided while the account was frozen from version 2 to 3, all its own releases',
    );
    assert.equal(
      violation.found,
      '0 were: 1 more (credits decided in other chains) moved money while it was frozen',
    );
  });
});

describe('auditor core: account lifecycle by versions, closes', () => {
  it('given a close whose version shows money left, though a credit from another chain brings the balance to 0 after it, when checked, then closed_with_balance names the close (read first: the credit past it is named)', () => {
    const log = fundedLog();
    log.post('t-1', 'carol', 'funding', 300n); // carol (overdraft 500): -300 at version 2
    const close = log.change('carol', 'close'); // version 2
    const credit = log.post('t-2', 'funding', 'carol', 300n); // chain 0, version 3: back to 0
    const violation = assertViolation(log.inputs, 'closed_with_balance', close);
    assert.equal(violation.found, 'balance -300 and 0 held at version 2');
    assertViolation(byPartition(log.inputs), 'account_not_open', credit);
  });

  it('given a close read before the credit at its version, when that credit is applied, then the balance there is checked: closed_with_balance names the close', () => {
    const log = fundedLog();
    log.post('t-1', 'carol', 'funding', 300n); // version 2: -300
    const close = log.change('carol', 'close', { version: 3 }); // decided after the credit below
    log.post('t-2', 'funding', 'carol', 200n); // chain 0, version 3: -100
    const violation = assertViolation(log.inputs, 'closed_with_balance', close);
    assert.equal(violation.found, 'balance -100 and 0 held at version 3');
  });

  it('given a close at 0 after a credit from another chain read later, when checked, then it passes', () => {
    const log = fundedLog();
    log.post('t-1', 'carol', 'funding', 300n); // version 2
    const credit = log.post('t-2', 'funding', 'carol', 300n); // chain 0, version 3: 0
    const close = log.change('carol', 'close'); // version 3
    const { result } = audit(readBefore(log.inputs, close, credit));
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
  });

  it('given an entry with a version past a close read before the close event, when the close comes, then account_not_open names the entry', () => {
    const log = fundedLog();
    const close = log.change('carol', 'close'); // version 1
    const credit = log.post('t-1', 'funding', 'carol', 10n); // chain 0, version 2
    const violation = assertViolation(
      readBefore(log.inputs, credit, close),
      'account_not_open',
      credit,
    );
    assert.equal(
      violation.found,
      'the account was closed at version 1: no entry may have a higher one',
    );
  });
});

describe('auditor core: account lifecycle by versions, a change at the wrong version', () => {
  it('given a change below the version of an entry decided before it in its chain, when checked, then change_version_mismatch names the change', () => {
    const log = fundedLog();
    log.post('t-1', 'alice', 'carol', 10n); // alice version 3
    const freeze = log.change('alice', 'freeze', { version: 2 });
    const violation = assertViolation(log.inputs, 'change_version_mismatch', freeze);
    assert.equal(
      violation.expected,
      "a freeze at version 3 or above: the account's entries and changes decided before it reached it",
    );
    assert.equal(violation.found, 'version 2');
  });

  it('given a change above the version of an entry decided after it in its chain, when checked, then change_version_mismatch names the entry', () => {
    const log = fundedLog();
    log.change('alice', 'update_metadata', { metadata: { a: '1' }, version: 5 });
    const debit = log.post('t-1', 'alice', 'carol', 10n); // alice version 3
    const violation = assertViolation(log.inputs, 'change_version_mismatch', debit);
    assert.match(violation.expected, /a version above 5/);
  });

  it('given a change at a version the account never reaches, when the run ends, then change_version_mismatch names it', () => {
    const log = fundedLog();
    const freeze = log.change('alice', 'freeze', { version: 9 });
    const violation = assertViolation(log.inputs, 'change_version_mismatch', freeze);
    assert.equal(violation.expected, 'a version the account reached (its last is 2)');
  });
});
