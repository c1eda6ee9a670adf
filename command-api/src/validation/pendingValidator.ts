import { LedgerError } from '@ledger/runtime';
import { pendingTimeoutSecondsMax, type PendingTerms, type SettlePending } from '@ledger/schemas';
import type { DecidedTransfer } from '../appDeps.ts';
import type { AcceptedCommand } from '../commands.ts';
import { jsonTypeOf, parseAmount } from './amountParser.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';
import { acceptedTransfer } from './transferIdentity.ts';

/**
 * `"pending": true` (and `"timeoutSeconds"`) of a transfer body: a hold. `"pending": false` or
 * absent is an ordinary transfer, and a timeout without `pending` is refused rather than ignored.
 */
export function parsePending(
  pending: unknown,
  timeoutSeconds: unknown,
): { pending?: PendingTerms } {
  if (pending !== undefined && typeof pending !== 'boolean') {
    throw new LedgerError(
      'invalid_request',
      `pending must be true or false, not a JSON ${jsonTypeOf(pending)}`,
    );
  }
  if (pending !== true) {
    if (timeoutSeconds !== undefined) {
      throw new LedgerError(
        'invalid_request',
        'timeoutSeconds is only for a pending transfer ("pending": true)',
      );
    }
    return {};
  }
  if (timeoutSeconds === undefined) return { pending: {} };
  if (
    typeof timeoutSeconds !== 'number' ||
    !Number.isInteger(timeoutSeconds) ||
    timeoutSeconds < 1 ||
    timeoutSeconds > pendingTimeoutSecondsMax
  ) {
    throw new LedgerError(
      'invalid_request',
      `timeoutSeconds must be a whole number of seconds from 1 to ${pendingTimeoutSecondsMax}`,
    );
  }
  return { pending: { timeoutSeconds } };
}

const postShape = { required: [], optional: ['amount'] } as const;
const voidShape = { required: [], optional: [] } as const;

export interface SettlementRequest {
  /** An absent body is an empty one: a void has nothing to say, a whole post neither. */
  readonly body: unknown;
  readonly action: 'post' | 'void';
  /** The transfer named in the path, as the ledger decided it. */
  readonly pending: DecidedTransfer;
}

/**
 * `POST /v1/transfers/{id}/post` (`{ "amount"? }`, default the whole pending amount) and
 * `POST /v1/transfers/{id}/void` (`{}`) → a SettlePending keyed like its transfer. Whether the
 * transfer is still pending, not expired, and holds that much is the processor's decision
 * (transfer_not_pending, pending_expired, post_exceeds_pending): it alone sees the settlements
 * before this one. A settlement is idempotent by its transfer: the request hash covers the
 * action and amount, so a retry of the same request replays the first outcome and anything
 * else after it is transfer_not_pending; no Idempotency-Key is involved.
 */
export function validateSettlement(
  request: SettlementRequest,
  context: ValidationContext,
): AcceptedCommand<SettlePending> {
  const body = request.body === undefined ? {} : request.body;
  const shape = request.action === 'post' ? postShape : voidShape;
  const object = checkShape(body, shape, 'the request body');
  const { pending } = request;
  const payload: SettlePending = {
    type: 'SettlePending',
    transferId: pending.transferId,
    fromAccountId: pending.fromAccountId,
    toAccountId: pending.toAccountId,
    action: request.action,
    ...(object.amount === undefined ? {} : { amount: parseAmount(object.amount, 'amount') }),
  };
  return acceptedTransfer(payload, pending.transferId, context);
}
