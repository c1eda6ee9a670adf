import { WireContractError } from './wireContractError.ts';
import type { Metadata } from './domainTypes.ts';
import { idLengthMax, idPattern } from './fieldRules.ts';

/**
 * Free-form metadata on accounts and transfers: a map of string to string, bounded so one message
 * stays small and a cache of a million accounts stays within its memory budget. The command API
 * validates requests against the same constants.
 */
export const metadataKeysMax = 16;
export const metadataKeyLengthMax = idLengthMax;
export const metadataValueLengthMax = 256; // JS string length (UTF-16 code units)
/**
 * Keys follow the id rule (1 to 64 characters, starting with a letter or digit): this also keeps
 * `__proto__` out, which a plain-object map (what avsc decodes a map into) would silently swallow.
 */
export const metadataKeyPattern = idPattern;

/**
 * Returns a copy with sorted keys: equal maps then always encode to the same bytes (Avro writes map
 * entries in iteration order), which keeps golden fixtures and request hashes stable.
 */
export function checkMetadata(metadata: Metadata, field = 'metadata'): Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new WireContractError('invalid_request', field, 'expected a map of string to string');
  }
  const keys = Object.keys(metadata).sort();
  if (keys.length > metadataKeysMax) {
    throw new WireContractError(
      'invalid_request',
      field,
      `has ${keys.length} keys, at most ${metadataKeysMax} allowed`,
    );
  }
  const sorted: Record<string, string> = {};
  for (const key of keys) {
    const value = metadata[key];
    if (!metadataKeyPattern.test(key)) {
      throw new WireContractError(
        'invalid_request',
        `${field}.${key.slice(0, metadataKeyLengthMax)}`,
        `key does not match ${metadataKeyPattern.source}`,
      );
    }
    if (typeof value !== 'string' || value.length > metadataValueLengthMax) {
      throw new WireContractError(
        'invalid_request',
        `${field}.${key}`,
        `expected a string of at most ${metadataValueLengthMax} characters`,
      );
    }
    sorted[key] = value;
  }
  return sorted;
}
