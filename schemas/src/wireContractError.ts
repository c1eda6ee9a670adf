/**
 * What can be wrong with a message against the wire contract. The first three are the contract's
 * error codes (docs/contract.md), so the command API can answer a bad request with the code the
 * converters found.
 * - `malformed_message`: not Confluent framing, or the Avro body does not parse.
 * - `unknown_schema_id`: the registry has no schema under the id in the header.
 * - `incompatible_schema`: the writer schema cannot be read with ours. Under BACKWARD that means
 *   this reader is older than the writer (consumers must be upgraded before producers); skipping
 *   such messages would lose data, so stop and upgrade rather than dead-letter them.
 */
export type WireContractCode =
  | 'invalid_amount'
  | 'invalid_id'
  | 'invalid_request'
  | 'malformed_message'
  | 'unknown_schema_id'
  | 'incompatible_schema';

/**
 * A message or domain value that breaks the wire contract. Never retriable: the same bytes fail the
 * same way, so a consumer dead-letters them (except `incompatible_schema`, see above).
 */
export class WireContractError extends Error {
  override readonly name = 'WireContractError';
  readonly retriable = false;
  constructor(
    readonly code: WireContractCode,
    /** Dotted path of the offending field (`payload.amount`), when one field is to blame. */
    readonly field: string | undefined,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(field === undefined ? message : `${field}: ${message}`, options);
  }
}

/**
 * The schema registry could not answer (down, timeout, 5xx) while a writer schema was needed.
 * Retriable: the message is fine, so never dead-letter it for this.
 */
export class SchemaRegistryUnavailableError extends Error {
  override readonly name = 'SchemaRegistryUnavailableError';
  readonly retriable = true;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
