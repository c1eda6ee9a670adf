import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PendingVoided, TransferPending } from '@ledger/schemas';
import { handBuiltLog, withPayload } from './handBuiltLog.ts';
import { assertViolation, audit, fundedLog, t0 } from './pendingLog.ts';

describe('auditor core: pending transfers, hand-corrupted logs', () => {
  it('given a hold settled twice (voided, then voided or posted again), when checked, then pending_settled_twice names the second', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    log.hold('h-2', 'alice', 'bob', 300n); // so the second release still leaves held ≥ 0
    log.voidPending('h-1');
    const again = log.voidPending('h-1');
    const violation = assertViolation(log.inputs, 'pending_settled_twice', again);
    assert.match(violation.expected, /pending transfer h-1 settled once \(event evt-8@1:3\)/);
    const posted = fundedLog();
    posted.hold('h-1', 'alice', 'bob', 300n);
    posted.hold('h-2', 'alice', 'bob', 300n);
    posted.voidPending('h-1');
    assertViolation(posted.inputs, 'pending_settled_twice', posted.postPending('h-1', 10n));
  });

  it('given a post larger than its hold, when checked, then post_exceeds_pending names it', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    log.hold('h-2', 'alice', 'bob', 300n);
    // More than its own pendingAmount: the event contradicts itself.
    assertViolation(log.inputs, 'post_exceeds_pending', log.postPending('h-1', 301n));
    // Within a pendingAmount that overstates the hold: found against the hold.
    const overstated = fundedLog();
    overstated.hold('h-1', 'alice', 'bob', 300n);
    overstated.hold('h-2', 'alice', 'bob', 300n);
    const post = overstated.postPending('h-1', 400n, { pendingAmount: 400n });
    const violation = assertViolation(overstated.inputs, 'post_exceeds_pending', post);
    assert.match(violation.expected, /at most 300, as pending transfer h-1/);
  });

  it('given a heldAfter that does not follow the running held amount, when checked, then held_mismatch names it', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    const second = log.hold('h-2', 'alice', 'bob', 200n);
    const corrupt = withPayload(second, (p) => {
      const hold = p as TransferPending;
      return { ...hold, debit: { ...hold.debit, heldAfter: 501n } };
    });
    const violation = assertViolation(
      log.inputs.map((input) => (input === second ? corrupt : input)),
      'held_mismatch',
      corrupt,
    );
    assert.equal(violation.accountId, 'alice');
    assert.match(
      violation.expected,
      /hold leg of transfer h-2 at version 4: heldAfter 500 \(300 \+ 200\)/,
    );
    assert.equal(violation.found, 'heldAfter 501');
  });

  it('given an ordinary posting without heldAfter (pre-v3 style) while something is held, when checked, then held_mismatch: absent reads as 0', () => {
    const log = handBuiltLog();
    log.open('funding', { overdraft: 1_000_000n });
    log.open('alice');
    log.post('t-fund', 'funding', 'alice', 1000n);
    log.hold('h-1', 'alice', 'funding', 300n);
    const posting = log.post('t-2', 'alice', 'funding', 10n);
    assertViolation(log.inputs, 'held_mismatch', posting);
  });

  it('given a settlement of a transfer no hold has, when checked, then settlement_without_pending names it', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    const orphan = log.voidPending('h-unknown', {
      hold: { from: 'alice', to: 'bob', amount: 100n },
    });
    const violation = assertViolation(log.inputs, 'settlement_without_pending', orphan);
    assert.match(violation.found, /no TransferPending h-unknown before version 4/);
    const ordinary = fundedLog();
    ordinary.hold('h-1', 'alice', 'bob', 300n);
    const post = ordinary.postPending('t-fund', 100n, {
      hold: { from: 'alice', to: 'bob', amount: 100n },
    });
    const named = assertViolation(ordinary.inputs, 'settlement_without_pending', post);
    assert.match(named.found, /t-fund is an ordinary transfer, posted by event evt-5@0:2/);
  });

  it('given a hold entered on its account after its own release (versions swapped), when checked, then settlement_without_pending names the release', () => {
    const log = fundedLog();
    log.hold('h-0', 'alice', 'bob', 300n); // version 3, held 300
    const hold = log.hold('h-1', 'alice', 'bob', 300n); // version 4, held 600
    const release = log.voidPending('h-1'); // version 5, held 300
    // Read in the same order, but the release is entered first: it frees what h-0 reserves.
    const late = withPayload(hold, (p) => {
      const pending = p as TransferPending;
      return { ...pending, debit: { ...pending.debit, version: 5, heldAfter: 300n } };
    });
    const early = withPayload(release, (p) => {
      const voided = p as PendingVoided;
      return { ...voided, debit: { ...voided.debit, version: 4, heldAfter: 0n } };
    });
    const violation = assertViolation(
      [...log.inputs.slice(0, -2), late, early],
      'settlement_without_pending',
      early,
    );
    assert.match(violation.found, /is at version 5, after this settlement's 4/);
  });

  it('given a release of another amount than was held, when checked, then settlement_mismatch names it', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    const release = log.voidPending('h-1', { amount: 299n });
    const violation = assertViolation(log.inputs, 'settlement_mismatch', release);
    assert.match(violation.expected, /the whole pending amount released: 300/);
    assert.match(violation.found, /299 released \(amount\)/);
    const posted = fundedLog();
    posted.hold('h-1', 'alice', 'bob', 300n);
    const post = posted.postPending('h-1', 100n, { pendingAmount: 299n });
    assertViolation(posted.inputs, 'settlement_mismatch', post);
  });

  it('given a settlement to other accounts, or an expiry of a hold that never expires, when checked, then settlement_mismatch', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n);
    const elsewhere = log.voidPending('h-1', {
      hold: { from: 'alice', to: 'carol', amount: 300n },
    });
    assertViolation(log.inputs, 'settlement_mismatch', elsewhere);
    const forever = fundedLog();
    forever.hold('h-1', 'alice', 'bob', 300n);
    const expired = forever.voidPending('h-1', { reason: 'expired' });
    const violation = assertViolation(forever.inputs, 'settlement_mismatch', expired);
    assert.match(violation.found, /never expires/);
  });

  it('given a post decided at or after its hold expired, when checked, then posted_after_expiry', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 300n, t0 + 7); // the post is event 7
    const late = log.postPending('h-1');
    assertViolation(log.inputs, 'posted_after_expiry', late);
    const inTime = fundedLog();
    inTime.hold('h-1', 'alice', 'bob', 300n, t0 + 8);
    inTime.postPending('h-1');
    assert.equal(audit(inTime.inputs).result.outcome, 'ok');
  });

  it('given an available balance below the overdraft (a posting or a hold spending what is held), when checked, then available_below_overdraft names it', () => {
    const log = fundedLog();
    log.hold('h-1', 'alice', 'bob', 800n);
    // Balance 700 stays ≥ 0, but 800 of it is held: −100 available.
    const spend = log.post('t-2', 'alice', 'bob', 300n);
    const violation = assertViolation(log.inputs, 'available_below_overdraft', spend);
    assert.match(violation.found, /700 − 800 held = -100 after the debit leg of transfer t-2/);
    const holding = fundedLog();
    holding.hold('h-1', 'alice', 'bob', 800n);
    assertViolation(
      holding.inputs,
      'available_below_overdraft',
      holding.hold('h-2', 'alice', 'bob', 201n),
    );
  });

  it('given one transfer id both pending and posted (either order) or pending twice, when checked, then transfer_posted_twice', () => {
    const log = fundedLog();
    const reused = log.hold('t-fund', 'alice', 'bob', 10n);
    assertViolation(log.inputs, 'transfer_posted_twice', reused);
    const other = fundedLog();
    other.hold('h-1', 'alice', 'bob', 10n);
    const posted = other.post('h-1', 'alice', 'bob', 10n);
    const violation = assertViolation(other.inputs, 'transfer_posted_twice', posted);
    assert.match(violation.expected, /it is the pending transfer of event evt-6@1:1/);
    const twice = fundedLog();
    twice.hold('h-1', 'alice', 'bob', 10n);
    assertViolation(twice.inputs, 'transfer_posted_twice', twice.hold('h-1', 'alice', 'bob', 10n));
  });

  it('given a hold that moves the balance or sits on another account, when checked, then balance_mismatch or malformed_transfer', () => {
    const log = fundedLog();
    const hold = log.hold('h-1', 'alice', 'bob', 300n);
    const moving = withPayload(hold, (p) => {
      const pending = p as TransferPending;
      return { ...pending, debit: { ...pending.debit, balanceAfter: 700n } };
    });
    const violation = assertViolation(
      [...log.inputs.slice(0, -1), moving],
      'balance_mismatch',
      moving,
    );
    assert.match(violation.found, /a hold moves no money, this one moved -300/);
    const misplaced = withPayload(hold, (p) => {
      const pending = p as TransferPending;
      return { ...pending, debit: { ...pending.debit, accountId: 'bob' } };
    });
    assertViolation([...log.inputs.slice(0, -1), misplaced], 'malformed_transfer', misplaced);
  });
});
