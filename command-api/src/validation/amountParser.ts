import { LedgerError } from '@ledger/runtime';
import { amountMax, amountPattern } from '@ledger/schemas';

/** The largest amount the ledger stores (@ledger/schemas' amounts.ts, its one home). */
export { amountMax };

/**
 * Parses a strictly positive amount in minor units ("1".."9223372036854775807") into a bigint.
 * A JSON number is refused even when integral: it went through a double in the client's parser.
 */
export function parseAmount(value: unknown, field: string): bigint {
  return parseMinorUnits(value, field, 1n);
}

/** Like parseAmount but also accepts "0" (an overdraft limit may be zero). */
export function parseNonNegativeAmount(value: unknown, field: string): bigint {
  if (value === '0') return 0n;
  return parseMinorUnits(value, field, 0n);
}

function parseMinorUnits(value: unknown, field: string, minimum: bigint): bigint {
  const bounds = `"${minimum === 0n ? '0' : '1'}".."${amountMax}"`;
  if (typeof value !== 'string') {
    throw new LedgerError(
      'invalid_amount',
      `${field} must be a string of decimal digits in minor units (${bounds}), not a JSON ${jsonTypeOf(value)}`,
    );
  }
  // Digits only, no sign, no leading zero, at most 19 of them: "0", "+1", "01", "1e3", "1.5" and
  // " 1" all fail here, so a float never gets a chance to be parsed anywhere in the path.
  if (!amountPattern.test(value)) {
    throw new LedgerError(
      'invalid_amount',
      `${field} must be a string of decimal digits in minor units in ${bounds} without sign, leading zeros, fraction or exponent`,
    );
  }
  const amount = BigInt(value);
  if (amount > amountMax || amount < minimum) {
    throw new LedgerError('invalid_amount', `${field} is out of range ${bounds}`);
  }
  return amount;
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
