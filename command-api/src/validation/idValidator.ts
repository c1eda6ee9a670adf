import { LedgerError } from '@ledger/runtime';
import { idPattern } from '@ledger/schemas';
import { jsonTypeOf } from './amountParser.ts';

/** The contract's id pattern (docs/contract.md), checked against the wire contract's one definition (@ledger/schemas). */
export function parseId(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new LedgerError(
      'invalid_id',
      `${field} must be a string, not a JSON ${jsonTypeOf(value)}`,
    );
  }
  if (!idPattern.test(value)) {
    throw new LedgerError('invalid_id', `${field} must match ${idPattern.source}`);
  }
  return value;
}
