import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransferPosted } from '@ledger/schemas';
import { defaultAuditLimits, type AuditLimits } from '../src/auditLimits.ts';
import {
  checkEvent,
  createAuditState,
  findGap,
  finishAudit,
  type AuditInput,
  type CheckResult,
  type Violation,
} from '../src/auditState.ts';
import { byPartition, handBuiltLog, withPayload } from './handBuiltLog.ts';

/** Feeds the log to the core; the first violation or limit, or the finished totals. */
function audit(inputs: readonly AuditInput[], limits: AuditLimits = defaultAuditLimits) {
  const state = createAuditState(limits);
  for (const input of inputs) {
    const result = checkEvent(state, input);
    if (result.outcome !== 'ok') return result;
  }
  return finishAudit(state);
}

function violationOf(result: ReturnType<typeof audit> | CheckResult | undefined): Violation {
  assert.ok(result !== undefined && result.outcome === 'violation', JSON.stringify(result));
  return result.violation;
}

const posting = (input: AuditInput): TransferPosted => {
  assert.equal(input.event.payload.type, 'TransferPosted');
  return input.event.payload;
};

/** funding (partition 0) pays alice and bob (partition 1); alice pays bob; one rejection. */
function sampleLog() {
  const log = handBuiltLog();
  log.open('funding', { overdraft: 1_000_000n });
  log.open('alice', { partition: 1 });
  log.open('bob', { partition: 1 });
  log.post('t-1', 'funding', 'alice', 500n);
  log.post('t-2', 'alice', 'bob', 200n);
  log.post('t-3', 'funding', 'bob', 50n);
  log.reject('t-4', 'alice', 'bob', 10_000n);
  return log;
}

describe('auditor core: a correct log', () => {
  it('given a correct log read in write order, when checked, then it passes with its totals', () => {
    const result = audit(sampleLog().inputs);
    assert.equal(result.outcome, 'ok', JSON.stringify(result));
    assert.ok(result.outcome === 'ok');
    assert.deepEqual(result.totals, {
      eventsByType: { AccountOpened: 3, TransferPosted: 3, TransferRejected: 1 },
      identicalDuplicates: 0,
      postedByCurrency: { USD: { transfers: 3, amount: '750' } },
      pendingByCurrency: {},
      accountsOpened: 3,
      accountsByStatus: { open: 3, frozen: 0, closed: 0 },
      accountChanges: { freeze: 0, unfreeze: 0, close: 0, update_metadata: 0 },
      finalBalanceSumByCurrency: { USD: '0' },
    });
  });

  it("given a credit leg read before its account's earlier version (another partition), when checked, then it waits and passes", () => {
    const log = sampleLog();
    // Partition 0 first: t-3 credits bob at version 3 before partition 1 delivers bob's opening
    // and version 2 (t-2), so both of t-1's and t-3's credits wait.
    const result = audit(byPartition(log.inputs));
    assert.equal(result.outcome, 'ok', JSON.stringify(result));
    const state = createAuditState(defaultAuditLimits);
    for (const input of byPartition(log.inputs).slice(0, 3)) checkEvent(state, input);
    assert.equal(state.pendingLegs, 2, "t-1's and t-3's credits wait for partition 1");
    assert.equal(state.accounts.get('funding')?.balance, -550n);
  });

  it('given an identical republished duplicate (same id, same content), when checked, then it is skipped, not a violation', () => {
    const log = sampleLog();
    const duplicate = { ...log.inputs[3]!, position: { ...log.inputs[3]!.position, offset: '99' } };
    const result = audit([...log.inputs, duplicate]);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.equal(result.totals.identicalDuplicates, 1);
    assert.equal(result.totals.postedByCurrency.USD?.transfers, 3);
  });
});

describe('auditor core: hand-corrupted logs', () => {
  it('given a credit leg off by one, when checked, then balance_mismatch names that event', () => {
    const log = sampleLog();
    const corrupt = [...log.inputs];
    const original = corrupt[4]!;
    corrupt[4] = withPayload(original, (p) => {
      const posted = p as TransferPosted;
      return {
        ...posted,
        credit: { ...posted.credit, balanceAfter: posted.credit.balanceAfter + 1n },
      };
    });
    const violation = violationOf(audit(corrupt));
    assert.equal(violation.kind, 'balance_mismatch');
    assert.deepEqual(violation.event, {
      ...original.position,
      eventId: 'evt-5',
      eventType: 'TransferPosted',
    });
    assert.equal(violation.accountId, 'bob');
    assert.match(violation.expected, /balanceAfter 200 \(0 \+ 200\)/);
    assert.match(violation.found, /balanceAfter 201: .* legs sum to 1, not 0/);
  });

  it('given a balance that does not follow the running sum (a debit from a stale balance), when checked, then balance_mismatch', () => {
    const log = sampleLog();
    const corrupt = log.inputs.map((input) =>
      input.event.eventId === 'evt-6'
        ? withPayload(input, (p) => {
            const posted = p as TransferPosted;
            // funding was at −500: the debit of 50 must end at −550, this one starts from 0.
            return { ...posted, debit: { ...posted.debit, balanceAfter: -50n } };
          })
        : input,
    );
    const violation = violationOf(audit(corrupt));
    assert.equal(violation.kind, 'balance_mismatch');
    assert.equal(violation.event?.eventId, 'evt-6');
    assert.match(violation.expected, /balanceAfter -550 \(-500 − 50\)/);
  });

  it('given a dropped posting (a version gap), when the log ends, then version_gap names the leg after the gap', () => {
    const log = sampleLog();
    const corrupt = log.inputs.filter((input) => input.event.eventId !== 'evt-5'); // t-2
    const violation = violationOf(audit(corrupt));
    assert.equal(violation.kind, 'version_gap');
    // bob's t-3 credit (version 3) waits for version 2, which t-2 carried.
    assert.equal(violation.event?.eventId, 'evt-6');
    assert.equal(violation.accountId, 'bob');
    assert.equal(violation.expected, 'version 2 after version 1');
  });

  it('given a transfer posted twice under another event id, when checked, then transfer_posted_twice', () => {
    const log = sampleLog();
    log.post('t-1', 'funding', 'alice', 500n); // well-formed legs at the next versions
    const violation = violationOf(audit(log.inputs));
    assert.equal(violation.kind, 'transfer_posted_twice');
    assert.equal(violation.event?.eventId, 'evt-8');
    assert.match(violation.expected, /transfer t-1 posted once \(event evt-4@0:1\)/);
  });

  it('given a changed duplicate (same event id, other content), when checked, then event_id_reused', () => {
    const log = sampleLog();
    const changed = withPayload(log.inputs[3]!, (p) => ({
      ...(p as TransferPosted),
      amount: 501n,
    }));
    const violation = violationOf(audit([...log.inputs, changed]));
    assert.equal(violation.kind, 'event_id_reused');
    assert.equal(violation.event?.eventId, 'evt-4');
    assert.match(violation.found, /other content under the id of the event at 0:1/);
  });

  it('given an account opened twice, a bad opening or a leg on a version already taken, when checked, then each is named', () => {
    const log = sampleLog();
    const reopened = { ...log.inputs[1]!, event: { ...log.inputs[1]!.event, eventId: 'evt-new' } };
    assert.equal(violationOf(audit([...log.inputs, reopened])).kind, 'account_opened_twice');
    const rich = withPayload(log.inputs[0]!, (p) => ({ ...p, balance: 5n }) as typeof p);
    assert.equal(violationOf(audit([rich])).kind, 'opening_state');
    const reused = withPayload(log.inputs[5]!, (p) => {
      const posted = p as TransferPosted;
      return { ...posted, credit: { ...posted.credit, version: 2 } }; // t-2 has bob's version 2
    });
    const violation = violationOf(audit([...log.inputs.slice(0, 5), reused]));
    assert.equal(violation.kind, 'version_reused');
    assert.match(
      violation.found,
      /credit leg of transfer t-3 at version 2, which the account already reached/,
    );
  });

  it('given a leg in another currency or past the overdraft limit, when checked, then currency_mismatch or overdraft_exceeded', () => {
    const log = sampleLog();
    const euros = withPayload(log.inputs[3]!, (p) => ({
      ...(p as TransferPosted),
      currency: 'EUR',
    }));
    assert.equal(violationOf(audit([...log.inputs.slice(0, 3), euros])).kind, 'currency_mismatch');
    const overdrawn = handBuiltLog();
    overdrawn.open('a');
    overdrawn.open('b');
    overdrawn.post('t', 'a', 'b', 1n);
    assert.equal(violationOf(audit(overdrawn.inputs)).kind, 'overdraft_exceeded');
  });

  it('given legs that name other accounts than the transfer, when checked, then malformed_transfer', () => {
    const log = sampleLog();
    const swapped = withPayload(log.inputs[3]!, (p) => {
      const posted = posting(log.inputs[3]!);
      return { ...(p as TransferPosted), debit: posted.credit, credit: posted.debit };
    });
    assert.equal(
      violationOf(audit([...log.inputs.slice(0, 3), swapped])).kind,
      'malformed_transfer',
    );
  });

  it('given a posting to an account that never opens, when the log ends, then version_gap asks for its opening', () => {
    const log = sampleLog();
    const violation = violationOf(audit(log.inputs.filter((i) => i.event.eventId !== 'evt-2')));
    assert.equal(violation.kind, 'version_gap');
    assert.match(violation.expected, /AccountOpened \(version 1\) before version 2/);
  });
});

describe('auditor core: waiting and limits', () => {
  it('given a leg waiting for its version, when following, then no gap before the wait has passed, a gap after', () => {
    const log = sampleLog();
    const state = createAuditState(defaultAuditLimits);
    for (const input of byPartition(log.inputs).slice(0, 3)) checkEvent(state, input);
    const waitingSince = log.inputs[3]!.receivedAtMs;
    assert.equal(findGap(state, waitingSince), undefined, 'read at the cut-off: still in time');
    assert.equal(violationOf(findGap(state, waitingSince + 1)).kind, 'version_gap');
  });

  it('given more accounts or waiting legs than the limits, when checked, then a limit, not a violation', () => {
    const log = sampleLog();
    const accounts = audit(log.inputs, { ...defaultAuditLimits, accountsMax: 2 });
    assert.deepEqual(accounts.outcome === 'limit' && accounts.limit, 'accountsMax');
    const pending = audit(byPartition(log.inputs), { ...defaultAuditLimits, pendingLegsMax: 1 });
    assert.deepEqual(pending.outcome === 'limit' && pending.limit, 'pendingLegsMax');
  });
});
