import { requestHashOf, type OpenAccount } from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import type { IdGenerator } from '@ledger/runtime';
import { parseNonNegativeAmount } from './amountParser.ts';
import { parseCurrency } from './currencyCodes.ts';
import { parseId } from './idValidator.ts';
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
export function validateOpenAccount(
  body: unknown,
  context: ValidationContext,
): AcceptedCommand<OpenAccount> {
  const object = checkShape(body, openAccountShape, 'the request body');
  const accountId =
    object.accountId === undefined ? context.newId() : parseId(object.accountId, 'accountId');
  const payload: OpenAccount = {
    type: 'OpenAccount',
    accountId,
    currency: parseCurrency(object.currency, 'currency'),
    overdraftLimit:
      object.overdraftLimit === undefined
        ? 0n
        : parseNonNegativeAmount(object.overdraftLimit, 'overdraftLimit'),
    metadata: parseMetadata(object.metadata, 'metadata'),
  };
  return {
    commandId: context.newId(),
    idempotencyKey: accountId,
    // Defaults are applied before hashing: `{}` and `{"overdraftLimit":"0"}` are one request.
    requestHash: requestHashOf(payload),
    receivedAt: context.nowMs,
    payload,
  };
}
