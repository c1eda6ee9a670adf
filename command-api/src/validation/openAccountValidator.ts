import type { OpenAccountCommand } from '../commands.ts';
import type { IdGenerator } from '../uuidv7.ts';
import { parseNonNegativeAmount } from './amountParser.ts';
import { requestHashOf } from './canonicalJson.ts';
import { parseCurrency } from './currencyCodes.ts';
import { parseOptionalId } from './idValidator.ts';
import { parseMetadata } from './metadataValidator.ts';
import { checkShape } from './strictShape.ts';

/** What a validator needs from the outside: ids and time, injected so validation stays pure. */
export interface ValidationContext {
  readonly newId: IdGenerator;
  readonly nowMs: number;
}

const openAccountShape = {
  required: ['currency'],
  optional: ['accountId', 'overdraftLimit', 'metadata'],
} as const;

/** `POST /v1/accounts` body → command. Throws LedgerError (400) on the first bad field. */
export function validateOpenAccount(body: unknown, context: ValidationContext): OpenAccountCommand {
  const object = checkShape(body, openAccountShape, 'the request body');
  const { id: accountId } = parseOptionalId(object.accountId, 'accountId', context.newId);
  const currency = parseCurrency(object.currency, 'currency');
  const overdraftLimit =
    object.overdraftLimit === undefined
      ? 0n
      : parseNonNegativeAmount(object.overdraftLimit, 'overdraftLimit');
  const metadata = parseMetadata(object.metadata, 'metadata');
  // Defaults are applied before hashing: `{}` and `{"overdraftLimit":"0"}` are the same request.
  const requestHash = requestHashOf({
    type: 'OpenAccount',
    accountId,
    currency,
    overdraftLimit,
    metadata,
  });
  return {
    type: 'OpenAccount',
    commandId: context.newId(),
    idempotencyKey: accountId,
    requestHash,
    receivedAtMs: context.nowMs,
    accountId,
    currency,
    overdraftLimit,
    metadata,
  };
}
