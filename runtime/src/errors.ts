/**
 * The fixed list of error codes of the contract (docs/contract.md), mapped to HTTP in this one
 * place. Business rejections decided by the processor use the same codes, so an outcome travels
 * unchanged to the client.
 */
export const errorCatalog = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_amount: { status: 400, title: 'Invalid amount' },
  invalid_id: { status: 400, title: 'Invalid id' },
  same_account: { status: 400, title: 'Same account' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  account_exists: { status: 409, title: 'Account exists' },
  idempotency_conflict: { status: 409, title: 'Idempotency conflict' },
  revision_conflict: { status: 409, title: 'Revision conflict' },
  account_status_conflict: { status: 409, title: 'Account status conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  account_not_found: { status: 422, title: 'Account not found' },
  currency_mismatch: { status: 422, title: 'Currency mismatch' },
  insufficient_funds: { status: 422, title: 'Insufficient funds' },
  account_closed: { status: 422, title: 'Account closed' },
  account_not_empty: { status: 422, title: 'Account not empty' },
  transfer_not_reversible: { status: 422, title: 'Transfer not reversible' },
  reversal_exceeds_transfer: { status: 422, title: 'Reversal exceeds transfer' },
  transfer_not_pending: { status: 422, title: 'Transfer not pending' },
  post_exceeds_pending: { status: 422, title: 'Post exceeds pending amount' },
  pending_expired: { status: 422, title: 'Pending transfer expired' },
  pending_not_expired: { status: 422, title: 'Pending transfer not expired' },
  rate_limited: { status: 429, title: 'Rate limited' },
  internal_error: { status: 500, title: 'Internal error' },
  overloaded: { status: 503, title: 'Overloaded' },
  unavailable: { status: 503, title: 'Service unavailable' },
  consistency_timeout: { status: 504, title: 'Consistency timeout' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** Codes a ledger processor may decide as a rejection (they are data, published as events). */
export const rejectionCodes = [
  'account_not_found',
  'currency_mismatch',
  'insufficient_funds',
  'account_closed',
  'same_account',
  'account_exists',
  'transfer_not_reversible',
  'reversal_exceeds_transfer',
  'transfer_not_pending',
  'pending_not_expired',
  'pending_expired',
  'post_exceeds_pending',
  'revision_conflict',
  'account_status_conflict',
  'account_not_empty',
] as const satisfies readonly ErrorCode[];
export type RejectionCode = (typeof rejectionCodes)[number];

/**
 * Transfer rejections in the order the processor checks them: the first that applies wins, so
 * every command has exactly one code. Stateless checks come first, then existence, then the state
 * of the accounts, then what a reversal may take back, and funds last (a closed account's funds
 * are not the question).
 */
export const transferRejectionCodes = [
  'same_account',
  'account_not_found',
  'account_closed',
  'currency_mismatch',
  'transfer_not_reversible',
  'reversal_exceeds_transfer',
  'insufficient_funds',
] as const satisfies readonly RejectionCode[];
export type TransferRejectionCode = (typeof transferRejectionCodes)[number];
/**
 * Rejections of a settlement (post, void or expiry of a pending transfer), in the order the
 * processor checks them: whether there is a pending transfer to settle at all, then its
 * deadline, then the accounts a post moves money between, then the amount.
 */
export const settlementRejectionCodes = [
  'transfer_not_pending',
  'pending_not_expired',
  'pending_expired',
  'account_closed',
  'post_exceeds_pending',
] as const satisfies readonly RejectionCode[];
export type SettlementRejectionCode = (typeof settlementRejectionCodes)[number];

/**
 * Rejections of an account change (freeze, unfreeze, close, metadata update), in the order the
 * processor checks them: the account must exist and not be closed (closed is final), the
 * caller's expected revision must be the current one, the status must allow the change, and a
 * close needs nothing left on the account (balance 0, nothing held).
 */
export const accountChangeRejectionCodes = [
  'account_not_found',
  'account_closed',
  'revision_conflict',
  'account_status_conflict',
  'account_not_empty',
] as const satisfies readonly RejectionCode[];
export type AccountChangeRejectionCode = (typeof accountChangeRejectionCodes)[number];

/** The one rejection of an account opening: its id is taken by another body. */
export const accountOpenRejectionCodes = ['account_exists'] as const satisfies RejectionCode[];
export type AccountOpenRejectionCode = (typeof accountOpenRejectionCodes)[number];

/**
 * Every code a command outcome may carry: the business rejections plus idempotency_conflict,
 * which is decided by the processor too (same key, other content) but is not a ledger event.
 */
export const outcomeCodes = [
  ...rejectionCodes,
  'idempotency_conflict',
] as const satisfies readonly ErrorCode[];
export type OutcomeCode = (typeof outcomeCodes)[number];

/** The one error type services throw for anything a client should see; it says if retry helps. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: {
      retryAfterSeconds?: number;
      /** The `WWW-Authenticate` challenge of a 401 (RFC 6750), set by apiKeys.ts alone. */
      challenge?: string;
      cause?: unknown;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(`${code}: ${detail}`, { cause: options.cause });
  }
  get status(): number {
    return errorCatalog[this.code].status;
  }
  get retriable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json';

export function problemFor(
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDocument {
  const { status, title } = errorCatalog[code];
  return { type: `urn:ledger:problem:${code}`, title, status, detail, code, ...extra };
}

export function problemFromError(error: LedgerError): ProblemDocument {
  return problemFor(error.code, error.detail, error.options.extra);
}

/**
 * The one answer to a LedgerError, for every writer (both APIs over express or node's http, the
 * ops routes, a refused upgrade or request written on the raw socket): the status and reason, the
 * RFC 9457 body, and the headers it always carries: Content-Type, Content-Length, then
 * `Retry-After` or the `WWW-Authenticate` challenge the error carries (apiKeys.ts sets it).
 * Writers add only what is theirs (the request id, `Connection: close`).
 */
export interface ProblemResponse {
  readonly status: number;
  readonly title: string;
  readonly headers: readonly (readonly [name: string, value: string])[];
  readonly body: string;
}

export function problemResponseOf(error: LedgerError): ProblemResponse {
  const problem = problemFromError(error);
  const body = JSON.stringify(problem);
  return {
    status: problem.status,
    title: problem.title,
    headers: [
      ['Content-Type', problemContentType],
      ['Content-Length', String(Buffer.byteLength(body))],
      ...problemHeaders(error),
    ],
    body,
  };
}

/** `Retry-After` when retrying later helps, `WWW-Authenticate` for a 401 (problemResponseOf). */
function problemHeaders(error: LedgerError): [name: string, value: string][] {
  const headers: [string, string][] = [];
  const { retryAfterSeconds, challenge } = error.options;
  if (retryAfterSeconds !== undefined) headers.push(['Retry-After', String(retryAfterSeconds)]);
  if (challenge !== undefined) headers.push(['WWW-Authenticate', challenge]);
  return headers;
}
