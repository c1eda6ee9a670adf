import { createHash } from 'node:crypto';

/**
 * A canonical JSON text: object keys sorted by code unit, no whitespace, bigints as decimal
 * strings. Two requests with the same content give the same text whatever their field order,
 * which is what an idempotency replay compares.
 */
export type CanonicalValue =
  | string
  | number
  | boolean
  | null
  | bigint
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

export function canonicalJson(value: CanonicalValue): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value === 'number') {
    // Only integers reach here (no float is allowed on the money path); refuse what JSON can't hold.
    if (!Number.isSafeInteger(value)) throw new Error(`non-canonical number ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly CanonicalValue[]).map(canonicalJson).join(',')}]`;
  }
  const object = value as { readonly [key: string]: CanonicalValue | undefined };
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as CanonicalValue)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The request hash stored with an idempotency key (Formance's habit: key + hash of input). */
export function requestHashOf(content: CanonicalValue): string {
  return sha256Hex(canonicalJson(content));
}
