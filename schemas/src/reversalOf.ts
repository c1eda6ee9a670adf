import { checkId } from './fieldRules.ts';

/**
 * The optional `reversalOf` of a transfer, its posting and its rejection (schema v2 on): null on
 * the wire for an ordinary transfer, absent in the domain, so v1 messages and ordinary v2 ones
 * convert to the same value.
 */
export function reversalOfToAvro(reversalOf: string | undefined): { string: string } | null {
  return reversalOf === undefined ? null : { string: checkId(reversalOf, 'payload.reversalOf') };
}

export function reversalOfFromAvro(wrapped: { string: string } | null | undefined): {
  reversalOf?: string;
} {
  return wrapped === null || wrapped === undefined
    ? {}
    : { reversalOf: checkId(wrapped.string, 'payload.reversalOf') };
}
