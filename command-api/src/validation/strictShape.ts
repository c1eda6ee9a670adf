import { LedgerError } from '@ledger/runtime';
import { jsonTypeOf } from './amountParser.ts';

/** A JSON object body with no fields beyond the listed ones (docs/contract.md: strict schemas). */
export interface ShapeSpec {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function checkShape(value: unknown, spec: ShapeSpec, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LedgerError(
      'invalid_request',
      `${what} must be a JSON object, not a JSON ${jsonTypeOf(value)}`,
    );
  }
  const object = value as JsonObject;
  for (const field of Object.keys(object)) {
    if (!spec.required.includes(field) && !spec.optional.includes(field)) {
      throw new LedgerError('invalid_request', `unknown field "${field}" in ${what}`, {
        extra: { field },
      });
    }
  }
  for (const field of spec.required) {
    if (object[field] === undefined) {
      throw new LedgerError('invalid_request', `missing field "${field}" in ${what}`, {
        extra: { field },
      });
    }
  }
  return object;
}
