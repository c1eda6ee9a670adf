import { LedgerError } from '@ledger/runtime';
import type { TransferCommand } from '../commands.ts';
import { parseAmount } from './amountParser.ts';
import { requestHashOf } from './canonicalJson.ts';
import { parseCurrency } from './currencyCodes.ts';
import { parseId, parseOptionalId } from './idValidator.ts';
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

/** `POST /v1/transfers` body (or one batch item) → command. Throws LedgerError on a bad field. */
export function validateTransfer(
  request: TransferRequest,
  context: ValidationContext,
): TransferCommand {
  const object = checkShape(request.body, transferShape, request.what);
  const transfer = parseOptionalId(object.transferId, 'transferId', context.newId);
  const fromAccountId = parseId(object.fromAccountId, 'fromAccountId');
  const toAccountId = parseId(object.toAccountId, 'toAccountId');
  const amount = parseAmount(object.amount, 'amount');
  const currency = parseCurrency(object.currency, 'currency');
  const metadata = parseMetadata(object.metadata, 'metadata');
  if (fromAccountId === toAccountId) {
    throw new LedgerError('same_account', 'fromAccountId and toAccountId are the same account');
  }
  const idempotencyKey =
    request.idempotencyKeyHeader === undefined
      ? transfer.id
      : parseId(request.idempotencyKeyHeader, 'Idempotency-Key header');
  // A generated transferId is not part of the content: the same body sent twice under one
  // Idempotency-Key must hash the same even though each attempt generated its own id.
  const requestHash = requestHashOf({
    type: 'Transfer',
    transferId: transfer.generated ? null : transfer.id,
    fromAccountId,
    toAccountId,
    amount,
    currency,
    metadata,
  });
  return {
    type: 'Transfer',
    commandId: context.newId(),
    idempotencyKey,
    requestHash,
    receivedAtMs: context.nowMs,
    transferId: transfer.id,
    fromAccountId,
    toAccountId,
    amount,
    currency,
    metadata,
  };
}
