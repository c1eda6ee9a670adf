import { maskAccountId } from '@ledger/runtime';
import type { Violation } from './auditTypes.ts';

/**
 * A violation as printed (stderr) and as the run's result: where the offending event is, what
 * was expected and what was found. Account ids are masked like in every log of the ledger.
 */
export function formatViolation(violation: Violation): string {
  const lines = [`audit violation: ${violation.kind}`];
  const event = violation.event;
  if (event !== undefined) {
    lines.push(
      `  event:    ${event.topic} partition ${event.partition} offset ${event.offset}`,
      `  id:       ${event.eventId} (${event.eventType})`,
    );
  }
  if (violation.accountId !== undefined) {
    lines.push(`  account:  ${maskAccountId(violation.accountId)}`);
  }
  lines.push(`  expected: ${violation.expected}`, `  found:    ${violation.found}`);
  return lines.join('\n');
}

/** The same as JSON (account id masked), for a caller that parses the output. */
export function violationJson(violation: Violation): Record<string, unknown> {
  return {
    kind: violation.kind,
    event: violation.event,
    ...(violation.accountId === undefined ? {} : { account: maskAccountId(violation.accountId) }),
    expected: violation.expected,
    found: violation.found,
  };
}
