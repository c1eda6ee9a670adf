import { LedgerError } from '@ledger/runtime';
import { jsonTypeOf } from './amountParser.ts';

/** Metadata rides on every command and event: small and flat, so it never dominates a message. */
export const metadataKeysMax = 16;
export const metadataKeyLengthMax = 64;
export const metadataValueLengthMax = 256;

export type Metadata = Readonly<Record<string, string>>;

/** Absent metadata is an empty object, so `{}` and no field hash the same. */
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
  // A prototype-free object: a key named "__proto__" stays plain data.
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, entry] of entries) {
    if (key.length === 0 || key.length > metadataKeyLengthMax) {
      throw new LedgerError(
        'invalid_request',
        `${field} keys must be 1 to ${metadataKeyLengthMax} characters`,
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
