import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultAuditLimits } from '../src/auditLimits.ts';
import { checkEvent, createAuditState, finishAudit, type AuditInput } from '../src/auditState.ts';
import { byPartition, handBuiltLog } from './handBuiltLog.ts';

function audit(inputs: readonly AuditInput[]) {
  const state = createAuditState(defaultAuditLimits);
  for (const input of inputs) {
    const result = checkEvent(state, input);
    if (result.outcome !== 'ok') return result;
  }
  return finishAudit(state);
}

/** funding and alice in partition 1, carol in partition 0; alice paid carol 100 as "t-pay". */
function paidLog() {
  const log = handBuiltLog();
  log.open('funding', { partition: 1, overdraft: 1_000_000n });
  log.open('alice', { partition: 1 });
  log.open('carol', { partition: 0 });
  log.post('t-fund', 'funding', 'alice', 500n);
  log.post('t-pay', 'alice', 'carol', 100n);
  return log;
}

describe('auditor core: reversals', () => {
  it('given partial reversals that together take back the whole amount, when checked, then the log passes', () => {
    const log = paidLog();
    log.post('r-1', 'carol', 'alice', 60n, 't-pay');
    log.post('r-2', 'carol', 'alice', 40n, 't-pay');
    const result = audit(log.inputs);
    assert.equal(result.outcome, 'ok', JSON.stringify(result));
  });

  it('given a reversal read before its original (another partition), when checked, then it waits and passes', () => {
    const log = paidLog();
    log.post('r-1', 'carol', 'alice', 100n, 't-pay');
    // byPartition reads carol's partition 0, with the reversal, before the original in 1.
    const result = audit(byPartition(log.inputs));
    assert.equal(result.outcome, 'ok', JSON.stringify(result));
  });

  it('given reversals that take back more than the transfer, when checked, then the one past the amount is named', () => {
    const log = paidLog();
    log.post('r-1', 'carol', 'alice', 60n, 't-pay');
    const past = log.post('r-2', 'carol', 'alice', 41n, 't-pay');
    const result = audit(log.inputs);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'reversal_exceeds_transfer');
    assert.equal(result.violation.event?.eventId, past.event.eventId);
  });

  it('given the excess read before the original, when checked, then it is found when the original arrives', () => {
    const log = paidLog();
    log.post('r-1', 'carol', 'alice', 101n, 't-pay');
    const result = audit(byPartition(log.inputs));
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'reversal_exceeds_transfer');
  });

  it('given a reversal along another path than the original reversed, when checked, then it is unmatched', () => {
    const log = paidLog();
    const wrong = log.post('r-1', 'alice', 'carol', 10n, 't-pay');
    const result = audit(log.inputs);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'reversal_unmatched');
    assert.equal(result.violation.event?.eventId, wrong.event.eventId);
  });

  it('given a reversal of a transfer the log never posted, when the run ends, then it is unmatched', () => {
    const log = paidLog();
    const orphan = log.post('r-1', 'carol', 'alice', 10n, 't-never');
    const result = audit(log.inputs);
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'reversal_unmatched');
    assert.equal(result.violation.event?.eventId, orphan.event.eventId);
  });
});
