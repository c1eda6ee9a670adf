import type { Transfer } from '@ledger/schemas';
import type { DecidedTransfer } from '../appDeps.ts';
import type { AcceptedCommand } from '../commands.ts';
import { parseAmount } from './amountParser.ts';
import { parseMetadata } from './metadataValidator.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';
import { acceptedTransfer, transferIdentity } from './transferIdentity.ts';

const reversalShape = { required: [], optional: ['transferId', 'amount', 'metadata'] } as const;

export interface ReversalRequest {
  readonly body: unknown;
  readonly idempotencyKeyHeader: string | undefined;
  /** The transfer named in the path, as the ledger decided it. */
  readonly original: DecidedTransfer;
}

/**
 * `POST /v1/transfers/{id}/reverse` body → the reversing transfer: the original's accounts
 * swapped, its currency, and `amount` or else the original's whole amount. Whether that much is
 * left to reverse, and whether the original was posted at all, is the processor's decision
 * (transfer_not_reversible, reversal_exceeds_transfer): it alone sees the reversals before this
 * one. Named as POST /v1/transfers names a transfer (transferIdentity.ts).
 */
export function validateReversal(
  request: ReversalRequest,
  context: ValidationContext,
): AcceptedCommand<Transfer> {
  const object = checkShape(request.body, reversalShape, 'the request body');
  const { transferId, idempotencyKey } = transferIdentity(
    object,
    request.idempotencyKeyHeader,
    context,
  );
  const { original } = request;
  const payload: Transfer = {
    type: 'Transfer',
    transferId,
    fromAccountId: original.toAccountId,
    toAccountId: original.fromAccountId,
    amount: object.amount === undefined ? original.amount : parseAmount(object.amount, 'amount'),
    currency: original.currency,
    metadata: parseMetadata(object.metadata, 'metadata'),
    reversalOf: original.transferId,
  };
  return acceptedTransfer(payload, idempotencyKey, context);
}
