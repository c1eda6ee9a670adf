import { LedgerError } from '@ledger/runtime';
import {
  longSafeMax,
  requestHashOf,
  type AccountChange,
  type ChangeAccount,
} from '@ledger/schemas';
import type { AcceptedCommand } from '../commands.ts';
import { jsonTypeOf } from './amountParser.ts';
import { parseId } from './idValidator.ts';
import { parseMetadata } from './metadataValidator.ts';
import type { ValidationContext } from './openAccountValidator.ts';
import { checkShape } from './strictShape.ts';

/**
 * The account change each `POST /v1/accounts/{accountId}/<action>` route asks for: the path's
 * last segment → ChangeAccount.change. The one table the routes and the OpenAPI document share.
 */
export const accountChangeActions = {
  freeze: 'freeze',
  unfreeze: 'unfreeze',
  close: 'close',
  metadata: 'update_metadata',
} as const satisfies Record<string, AccountChange>;
export type AccountChangeAction = keyof typeof accountChangeActions;

/**
 * An account opens at revision 1; the top is the wire's long bound (a request accepted here must
 * never be refused by the serde after its 202).
 */
export const expectedRevisionMin = 1;
export const expectedRevisionMax = longSafeMax;

const statusChangeShape = { required: [], optional: ['expectedRevision'] } as const;
const metadataShape = { required: ['metadata'], optional: ['expectedRevision'] } as const;

export interface AccountChangeRequest {
  /** The account named in the path, already checked against the id pattern. */
  readonly accountId: string;
  readonly action: AccountChangeAction;
  /** An absent body is an empty one: a freeze, unfreeze or close needs nothing more. */
  readonly body: unknown;
  /** The `Idempotency-Key` header, when sent. */
  readonly idempotencyKeyHeader: string | undefined;
}

/**
 * A freeze, unfreeze or close (`{}` or `{"expectedRevision": n}`) or a metadata replacement
 * (`{"metadata": {…}, "expectedRevision"?: n}`, the limits of an opening) → a ChangeAccount keyed
 * by its account. Whether the account exists, is open or frozen, is at the expected revision, and
 * is empty enough to close is the processor's decision: it alone sees the changes before this one.
 *
 * The idempotency key is the `Idempotency-Key` header, else the command's own id: a change sent
 * without a key is never taken for a replay, so a client that retries must send one. The
 * processor (and the edge's store, per account) dedupes by (accountId, key).
 */
export function validateAccountChange(
  request: AccountChangeRequest,
  context: ValidationContext,
): AcceptedCommand<ChangeAccount> {
  const body = request.body === undefined ? {} : request.body;
  const change = accountChangeActions[request.action];
  const isMetadata = change === 'update_metadata';
  const object = checkShape(
    body,
    isMetadata ? metadataShape : statusChangeShape,
    'the request body',
  );
  const expectedRevision = parseExpectedRevision(object.expectedRevision);
  const payload: ChangeAccount = {
    type: 'ChangeAccount',
    accountId: request.accountId,
    change,
    ...(isMetadata ? { metadata: parseMetadata(object.metadata, 'metadata') } : {}),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
  const headerKey =
    request.idempotencyKeyHeader === undefined
      ? undefined
      : parseId(request.idempotencyKeyHeader, 'Idempotency-Key header');
  const commandId = context.newId();
  return {
    commandId,
    idempotencyKey: headerKey ?? commandId,
    requestHash: requestHashOf(payload),
    receivedAt: context.nowMs,
    payload,
  };
}

function parseExpectedRevision(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < expectedRevisionMin ||
    value > expectedRevisionMax
  ) {
    throw new LedgerError(
      'invalid_request',
      typeof value === 'number'
        ? `expectedRevision must be a whole number from ${expectedRevisionMin} to ${expectedRevisionMax}`
        : `expectedRevision must be a whole number, not a JSON ${jsonTypeOf(value)}`,
    );
  }
  return value;
}
