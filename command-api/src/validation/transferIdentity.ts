import { requestHashOf, type SettlePending, type Transfer } from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import { parseId } from './idValidator.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import type { JsonObject } from './strictShape.ts';

/**
 * How a transfer (or a reversal) is named, the one rule for both: the idempotency key is the
 * `Idempotency-Key` header, else the transferId. An absent transferId is the header's key when
 * there is one (so a retry of the same body under the same key names the same transfer and hashes
 * the same), else a generated UUIDv7 (such a request can never be replayed).
 */
export function transferIdentity(
  object: JsonObject,
  idempotencyKeyHeader: string | undefined,
  context: ValidationContext,
): { readonly transferId: string; readonly idempotencyKey: string } {
  const headerKey =
    idempotencyKeyHeader === undefined
      ? undefined
      : parseId(idempotencyKeyHeader, 'Idempotency-Key header');
  const transferId =
    object.transferId === undefined
      ? (headerKey ?? context.newId())
      : parseId(object.transferId, 'transferId');
  return { transferId, idempotencyKey: headerKey ?? transferId };
}

/** The accepted command around a validated transfer (or settlement) payload. */
export function acceptedTransfer<Payload extends Transfer | SettlePending>(
  payload: Payload,
  idempotencyKey: string,
  context: ValidationContext,
): AcceptedCommand<Payload> {
  return {
    commandId: context.newId(),
    idempotencyKey,
    requestHash: requestHashOf(payload),
    receivedAt: context.nowMs,
    payload,
  };
}
