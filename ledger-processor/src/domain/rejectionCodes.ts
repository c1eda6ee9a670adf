import type { ErrorCode, RejectionCode } from '@ledger/runtime';

/**
 * Transfer rejections in the order they are checked: the first that applies wins, so every
 * command has exactly one code. Stateless checks come first, then existence, then the state of
 * the accounts, and funds last (a closed account's funds are not the question).
 */
export const transferRejectionCodes = [
  'same_account',
  'account_not_found',
  'account_closed',
  'currency_mismatch',
  'insufficient_funds',
] as const satisfies readonly RejectionCode[];
export type TransferRejectionCode = (typeof transferRejectionCodes)[number];

/**
 * Every code a command outcome may carry: the business rejections plus idempotency_conflict,
 * which is decided by the processor too (same key, other content) but is not a ledger event.
 */
export type OutcomeCode = RejectionCode | Extract<ErrorCode, 'idempotency_conflict'>;
