import { LedgerError } from '@ledger/runtime';
import type { Transfer } from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import { jsonTypeOf } from './amountParser.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';
import { validateTransfer } from './transferValidator.ts';

/** docs/contract.md: 1 to 1000 transfers per batch request. */
export const batchItemsMax = 1_000;

export type BatchItemValidation =
  | { readonly index: number; readonly ok: true; readonly command: AcceptedCommand<Transfer> }
  | { readonly index: number; readonly ok: false; readonly error: LedgerError };

const batchShape = { required: ['transfers'], optional: [] } as const;

/**
 * `POST /v1/transfers/batch` body → one result per item. The envelope must be valid (else the
 * whole request is a 400); items stand alone, so a bad item is data, not an exception.
 */
export function validateTransferBatch(
  body: unknown,
  context: ValidationContext,
): readonly BatchItemValidation[] {
  const object = checkShape(body, batchShape, 'the request body');
  const transfers = object.transfers;
  if (!Array.isArray(transfers)) {
    throw new LedgerError(
      'invalid_request',
      `transfers must be an array, not a JSON ${jsonTypeOf(transfers)}`,
    );
  }
  if (transfers.length < 1 || transfers.length > batchItemsMax) {
    throw new LedgerError(
      'invalid_request',
      `transfers must hold 1 to ${batchItemsMax} items, not ${transfers.length}`,
    );
  }
  return transfers.map((item: unknown, index): BatchItemValidation => {
    try {
      const command = validateTransfer(
        { body: item, idempotencyKeyHeader: undefined, what: `transfers[${index}]` },
        context,
      );
      return { index, ok: true, command };
    } catch (error) {
      if (error instanceof LedgerError) return { index, ok: false, error };
      throw error;
    }
  });
}
