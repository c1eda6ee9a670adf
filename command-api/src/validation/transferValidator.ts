import { LedgerError } from '@ledger/runtime';
import type { Transfer } from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import { parseAmount } from './amountParser.ts';
import { parseCurrency } from './currencyCodes.ts';
import { parseId } from './idValidator.ts';
import { parseMetadata } from './metadataValidator.ts';
import { parsePending } from './pendingValidator.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';
import { acceptedTransfer, transferIdentity } from './transferIdentity.ts';

const transferShape = {
  required: ['fromAccountId', 'toAccountId', 'amount', 'currency'],
  optional: ['transferId', 'metadata', 'pending', 'timeoutSeconds'],
} as const;

export interface TransferRequest {
  readonly body: unknown;
  /** The `Idempotency-Key` header, when sent (single transfers only). */
  readonly idempotencyKeyHeader: string | undefined;
  /** Where the body sits, for error details: "the request body" or "transfers[12]". */
  readonly what: string;
}

/**
 * `POST /v1/transfers` body (or one batch item) → command. Throws LedgerError on a bad field.
 * Named by transferIdentity.ts (the key is the header, else the transferId).
 */
export function validateTransfer(
  request: TransferRequest,
  context: ValidationContext,
): AcceptedCommand<Transfer> {
  const object = checkShape(request.body, transferShape, request.what);
  const { transferId, idempotencyKey } = transferIdentity(
    object,
    request.idempotencyKeyHeader,
    context,
  );
  const fromAccountId = parseId(object.fromAccountId, 'fromAccountId');
  const toAccountId = parseId(object.toAccountId, 'toAccountId');
  const payload: Transfer = {
    type: 'Transfer',
    transferId,
    fromAccountId,
    toAccountId,
    amount: parseAmount(object.amount, 'amount'),
    currency: parseCurrency(object.currency, 'currency'),
    metadata: parseMetadata(object.metadata, 'metadata'),
    ...parsePending(object.pending, object.timeoutSeconds),
  };
  if (fromAccountId === toAccountId) {
    throw new LedgerError('same_account', 'fromAccountId and toAccountId are the same account');
  }
  return acceptedTransfer(payload, idempotencyKey, context);
}
