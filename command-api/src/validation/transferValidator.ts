import { LedgerError } from '@ledger/runtime';
import { requestHashOf, type Transfer } from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import { parseAmount } from './amountParser.ts';
import { parseCurrency } from './currencyCodes.ts';
import { parseId } from './idValidator.ts';
import { parseMetadata } from './metadataValidator.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';

const transferShape = {
  required: ['fromAccountId', 'toAccountId', 'amount', 'currency'],
  optional: ['transferId', 'metadata'],
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
 *
 * The idempotency key is the header, else the transferId. An absent transferId is the header's
 * key when there is one (so a retry of the same body under the same key names the same transfer
 * and hashes the same), else a generated UUIDv7 (such a request can never be replayed).
 */
export function validateTransfer(
  request: TransferRequest,
  context: ValidationContext,
): AcceptedCommand<Transfer> {
  const object = checkShape(request.body, transferShape, request.what);
  const headerKey =
    request.idempotencyKeyHeader === undefined
      ? undefined
      : parseId(request.idempotencyKeyHeader, 'Idempotency-Key header');
  const transferId =
    object.transferId === undefined
      ? (headerKey ?? context.newId())
      : parseId(object.transferId, 'transferId');
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
  };
  if (fromAccountId === toAccountId) {
    throw new LedgerError('same_account', 'fromAccountId and toAccountId are the same account');
  }
  return {
    commandId: context.newId(),
    idempotencyKey: headerKey ?? transferId,
    requestHash: requestHashOf(payload),
    receivedAt: context.nowMs,
    payload,
  };
}
