import type { AccountChange, AccountStatus } from './domainTypes.ts';
import { WireContractError } from './wireContractError.ts';

/**
 * The checks every field of the wire contract passes, on encode (so no producer can put a bad
 * message on a topic) and on decode (so no consumer acts on one). This module and amounts.ts are
 * the one home of the contract's field rules: the command API validates requests, the processor's
 * commandChecks its commands and the OpenAPI documents describe fields with these same constants.
 */

/** accountId, transferId (docs/contract.md); also used for commandId and eventId (UUIDv7 fits). */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** The longest id idPattern admits. */
export const idLengthMax = 64;
/** ISO 4217 alphabetic code. Whether the code exists is the command API's business. */
export const currencyPattern = /^[A-Z]{3}$/;
/** Lower-case hex SHA-256: request hashes, hash chain links. */
export const sha256HexPattern = /^[0-9a-f]{64}$/;
export const requestHashPattern = sha256HexPattern;
/**
 * An idempotency key is held to the id rule, as the command API holds the `Idempotency-Key` header
 * (docs/contract.md); it defaults to the transferId / accountId. A command whose key the API would
 * refuse is refused here too, whoever produced it, rather than reaching the deciders.
 */
export const idempotencyKeyPattern = idPattern;
/** W3C trace context `version-traceid-parentid-flags`. */
export const traceparentPattern = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** Kafka offsets are int64, given as decimal strings by Kafka clients. */
export const offsetPattern = /^(?:0|[1-9][0-9]{0,18})$/;
/** The longest a pending transfer may wait to be settled before it expires: one year. */
export const pendingTimeoutSecondsMax = 31_536_000;
/** How a pending transfer is settled (SettlePending.action), and why one is released (reason). */
export const settlementActions = ['post', 'void', 'expire'] as const;
export const voidReasons = ['voided', 'expired'] as const;
/** What a ChangeAccount changes (its `change`), and the statuses an account can be in. */
export const accountChanges = [
  'freeze',
  'unfreeze',
  'close',
  'update_metadata',
] as const satisfies readonly AccountChange[];
export const accountStatuses = [
  'open',
  'frozen',
  'closed',
] as const satisfies readonly AccountStatus[];
/** A dead letter's reason: enough for a message and a cause, bounded like everything else. */
export const deadLetterReasonLengthMax = 4_096;
export const topicNameLengthMax = 249; // Kafka's own limit

export function checkId(value: string, field: string): string {
  if (typeof value !== 'string' || !idPattern.test(value)) {
    throw new WireContractError('invalid_id', field, `does not match ${idPattern.source}`);
  }
  return value;
}

export function checkPattern(value: string, field: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new WireContractError('invalid_request', field, `does not match ${pattern.source}`);
  }
  return value;
}

export function checkCurrency(value: string, field = 'currency'): string {
  return checkPattern(value, field, currencyPattern);
}

/**
 * Longs (versions, timestamps) are JS numbers in the domain, not bigint: a version counts postings
 * of one account and a timestamp counts milliseconds since 1970, both many orders of magnitude
 * below 2^53, and numbers keep JSON, comparisons and the HTTP `version` field simple. Precision is
 * still never lost silently: avsc's default long type throws ("potential precision loss") on
 * decoding anything beyond ±longSafeMax (pinned by a unit test), and this check refuses the same on
 * encode. A bigint long type would buy nothing here and cost a conversion in every consumer.
 */
/** avsc's own bound: 2^53 - 2, one below MAX_SAFE_INTEGER, to absorb rounding in its decoder. */
export const longSafeMax = 9_007_199_254_740_990;

export function checkSafeInteger(value: number, field: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > longSafeMax) {
    throw new WireContractError(
      'invalid_request',
      field,
      `expected an integer in [${min}, ${longSafeMax}], got ${String(value)}`,
    );
  }
  return value;
}

export function checkVersion(value: number, field = 'version'): number {
  return checkSafeInteger(value, field, 1);
}

export function checkEpochMillis(value: number, field: string): number {
  return checkSafeInteger(value, field, 0);
}

export function checkText(value: string, field: string, lengthMax: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > lengthMax) {
    throw new WireContractError(
      'invalid_request',
      field,
      `expected a non-empty string of at most ${lengthMax} characters`,
    );
  }
  return value;
}

export function checkOneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  field: string,
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new WireContractError('invalid_request', field, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * Closes an exhaustive switch: the compiler proves no variant is left (`value` is `never`), and a
 * value built outside TypeScript's view (plain JS, a newer producer) still fails loudly here.
 */
export function unknownVariant(value: never, field: string): never {
  const shown = JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'bigint' ? inner.toString() : inner,
  );
  throw new WireContractError('invalid_request', field, `unknown variant ${shown.slice(0, 200)}`);
}
