import { LedgerError } from '@ledger/runtime';
import {
  metadataKeyLengthMax,
  metadataKeyPattern,
  metadataKeysMax,
  metadataValueLengthMax,
  type Metadata,
} from '@ledger/schemas';
import { jsonTypeOf } from './amountParser.ts';

/**
 * The limits are the wire contract's (one definition, @ledger/schemas/metadataLimits.ts): a
 * request this accepts must never be refused later by the serde, after the 202 is promised.
 * Absent metadata is an empty object, so `{}` and no field hash the same. Keys come back sorted
 * (Avro writes map entries in iteration order; sorted keys give equal maps equal bytes).
 */
export function parseMetadata(value: unknown, field: string): Metadata {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LedgerError(
      'invalid_request',
      `${field} must be an object of string values, not a JSON ${jsonTypeOf(value)}`,
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > metadataKeysMax) {
    throw new LedgerError('invalid_request', `${field} has more than ${metadataKeysMax} keys`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, entry] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // The pattern bounds the length (≤ metadataKeyLengthMax) and keeps "__proto__" out.
    if (!metadataKeyPattern.test(key)) {
      throw new LedgerError(
        'invalid_request',
        `${field} keys must be 1 to ${metadataKeyLengthMax} characters matching ${metadataKeyPattern.source}`,
      );
    }
    if (typeof entry !== 'string') {
      throw new LedgerError(
        'invalid_request',
        `${field}.${key} must be a string, not a JSON ${jsonTypeOf(entry)}`,
      );
    }
    if (entry.length > metadataValueLengthMax) {
      throw new LedgerError(
        'invalid_request',
        `${field}.${key} is longer than ${metadataValueLengthMax} characters`,
      );
    }
    metadata[key] = entry;
  }
  return metadata;
}
