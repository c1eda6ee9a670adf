import { LedgerError } from '@ledger/runtime';
import { jsonTypeOf } from './amountParser.ts';

/** API.md's id pattern: 1 to 64 characters, safe in URLs, Kafka keys and Redis keys. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const idLengthMax = 64;

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

/** An absent id is generated; a present one must be valid (null is not "absent"). */
export function parseOptionalId(
  value: unknown,
  field: string,
  generate: () => string,
): { id: string; generated: boolean } {
  if (value === undefined) return { id: generate(), generated: true };
  return { id: parseId(value, field), generated: false };
}
