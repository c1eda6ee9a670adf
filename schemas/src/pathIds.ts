import { LedgerError } from '@ledger/runtime';
import { idPattern } from './fieldRules.ts';

/**
 * Ids in URL paths (`/v1/accounts/{id}`, `/v1/transfers/{id}`, `/v1/commands/{id}`, …), the one
 * rule for every route of both APIs: a segment is percent-decoded exactly once, as UTF-8, and the
 * result must match `idPattern`. A malformed escape (`%ZZ`, a lone `%`), bytes that are not UTF-8
 * (`%C0%AE`, a lone surrogate `%ED%A0%80`) and an id off the pattern are all the same 400
 * `invalid_id`. No other exception ever leaves: what throws is a LedgerError, which each API's
 * problem writer renders.
 */

/** For a raw segment as it stands in the URL (the query API's hand-parsed routes). */
export function decodePathId(rawSegment: string, field: string): string {
  let decoded = rawSegment;
  if (rawSegment.includes('%')) {
    try {
      decoded = decodeURIComponent(rawSegment);
    } catch {
      throw notUtf8Segment(field);
    }
  }
  return checkDecodedId(decoded, field);
}

/**
 * For an id already decoded: a stream message's, or a segment express has decoded into
 * `request.params`. express 4 decodes with
 * `decodeURIComponent`, the same single step as `decodePathId`, so both give the same id; what it
 * cannot decode never reaches the route, see `pathDecodeErrorAsInvalidId`.
 */
export function checkDecodedId(decoded: string | undefined, field: string): string {
  if (typeof decoded !== 'string' || !idPattern.test(decoded)) {
    throw new LedgerError('invalid_id', `${field} must match ${idPattern.source}`);
  }
  return decoded;
}

/**
 * express 4 decodes route parameters while it matches routes, before any handler runs, and hands
 * the error handlers a URIError with `status` 400 when a segment does not decode; it has no
 * switch to leave the decoding to us. Mapping that one error here keeps express's routing (and
 * its route templates for metrics) and still answers exactly what `decodePathId` would. The raw
 * segment is not echoed (express puts it in the message; it stays in the cause).
 */
export function pathDecodeErrorAsInvalidId(error: unknown): LedgerError | undefined {
  if (!(error instanceof URIError) || (error as { status?: unknown }).status !== 400) {
    return undefined;
  }
  return new LedgerError('invalid_id', 'a path segment is not valid percent-encoded UTF-8', {
    cause: error,
  });
}

function notUtf8Segment(field: string): LedgerError {
  return new LedgerError('invalid_id', `${field} is not valid percent-encoded UTF-8`);
}
