import assert from 'node:assert/strict';
import { defaultAuditLimits, type AuditLimits } from '../src/auditLimits.ts';
import {
  checkEvent,
  createAuditState,
  finishAudit,
  type AuditInput,
  type ViolationKind,
} from '../src/auditState.ts';
import { handBuiltLog } from './handBuiltLog.ts';

/** handBuiltLog's occurredAt is this plus the event's number. */
export const t0 = 1_700_000_000_000;

/** Feeds the log to the core: the first violation or limit, or the totals; with the state. */
export function audit(inputs: readonly AuditInput[], limits: AuditLimits = defaultAuditLimits) {
  const state = createAuditState(limits);
  for (const input of inputs) {
    const result = checkEvent(state, input);
    if (result.outcome !== 'ok') return { result, state };
  }
  return { result: finishAudit(state), state };
}

/** The first violation must be `kind`, naming `offender`; returns it for further checks. */
export function assertViolation(
  inputs: readonly AuditInput[],
  kind: ViolationKind,
  offender: AuditInput,
) {
  const { result } = audit(inputs);
  assert.ok(result.outcome === 'violation', JSON.stringify(result));
  assert.equal(result.violation.kind, kind, JSON.stringify(result.violation));
  assert.deepEqual(result.violation.event, {
    ...offender.position,
    eventId: offender.event.eventId,
    eventType: offender.event.payload.type,
  });
  return result.violation;
}

/** funding and bob in partition 0, alice in 1, carol in 2; alice starts with 1000. */
export function fundedLog() {
  const log = handBuiltLog('audit-test.events', { v3: true });
  log.open('funding', { overdraft: 1_000_000n });
  log.open('alice', { partition: 1 });
  log.open('bob');
  log.open('carol', { partition: 2 });
  log.post('t-fund', 'funding', 'alice', 1000n);
  return log;
}
