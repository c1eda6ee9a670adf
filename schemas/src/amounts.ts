import { WireContractError } from './wireContractError.ts';

/**
 * Money on the wire is a string of decimal digits in minor units, and bigint in memory: it never
 * passes through a JS number (2^53 is far below the int64 range docs/contract.md promises). Each
 * kind has its own strict grammar: no sign where none is allowed, no leading zeros, no spaces,
 * ASCII digits only, at most 19 digits and within int64 (balances: up to 38 digits, see
 * balanceAbsMax).
 */
export const int64Max = 9_223_372_036_854_775_807n;
export const int64Min = -9_223_372_036_854_775_808n;
/**
 * The largest transfer amount and overdraft limit (docs/contract.md): exactly a Postgres bigint.
 * The one home of the bound; the command API and the processor's deciders import it.
 */
export const amountMax = int64Max;

/** A transfer amount: "1" to "9223372036854775807". */
export const amountPattern = /^[1-9][0-9]{0,18}$/;
/** An overdraft limit: "0" to "9223372036854775807". */
export const overdraftLimitPattern = /^(?:0|[1-9][0-9]{0,18})$/;
/**
 * Largest |balance|: 38 digits, as the ledger's numeric(38,0) column. A balance is not bounded by
 * int64 (two accounts with the largest overdraft can each send the largest amount to a third),
 * but it cannot reach 10^38 while postings sum to zero (ledger-processor/src/domain/bounds.ts,
 * which names it balanceMax and says why).
 */
export const balanceAbsMax = 10n ** 38n - 1n;

/** A balance: up to 38 digits, may be negative (down to minus the overdraft limit); "-0" is refused. */
export const balancePattern = /^(?:0|-?[1-9][0-9]{0,37})$/;

export function parseAmount(text: string, field = 'amount'): bigint {
  return parseBounded(text, field, amountPattern, 1n, amountMax, 'a positive integer');
}

export function parseOverdraftLimit(text: string, field = 'overdraftLimit'): bigint {
  return parseBounded(text, field, overdraftLimitPattern, 0n, amountMax, 'a non-negative integer');
}

export function parseBalance(text: string, field = 'balance'): bigint {
  return parseBounded(text, field, balancePattern, -balanceAbsMax, balanceAbsMax, 'an integer');
}

export function formatAmount(value: bigint, field = 'amount'): string {
  return formatBounded(value, field, 1n, amountMax);
}

export function formatOverdraftLimit(value: bigint, field = 'overdraftLimit'): string {
  return formatBounded(value, field, 0n, amountMax);
}

export function formatBalance(value: bigint, field = 'balance'): string {
  return formatBounded(value, field, -balanceAbsMax, balanceAbsMax);
}

function parseBounded(
  text: string,
  field: string,
  pattern: RegExp,
  min: bigint,
  max: bigint,
  what: string,
): bigint {
  // typeof check first: decoded JSON may hand us a number, which must never be accepted.
  if (typeof text !== 'string' || !pattern.test(text)) {
    throw new WireContractError(
      'invalid_amount',
      field,
      `expected ${what} of minor units as a decimal string without leading zeros`,
    );
  }
  const value = BigInt(text);
  if (value < min || value > max) {
    throw new WireContractError('invalid_amount', field, `out of range [${min}, ${max}]`);
  }
  return value;
}

function formatBounded(value: bigint, field: string, min: bigint, max: bigint): string {
  if (typeof value !== 'bigint' || value < min || value > max) {
    throw new WireContractError(
      'invalid_amount',
      field,
      `expected a bigint in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value.toString();
}
