import { formatAmount, formatBalance, parseAmount, parseBalance } from './amounts.ts';
import type {
  OptionalLong,
  OptionalString,
  SettlePendingRecord,
  TransferRecord,
} from './avroRecordTypes.ts';
import type { EpochMillis, PendingTerms, SettlePending } from './domainTypes.ts';
import {
  checkEpochMillis,
  checkId,
  checkOneOf,
  checkSafeInteger,
  pendingTimeoutSecondsMax,
  settlementActions,
} from './fieldRules.ts';
import { WireContractError } from './wireContractError.ts';

/**
 * The wire side of pending transfers (v3 on): a Transfer's `pending` / `timeoutSeconds`, the
 * SettlePending command, and the optional fields the pending events share. Older messages have
 * none of it and convert to ordinary transfers.
 */

/** A Transfer record's pending fields from the domain's `pending` (absent: an ordinary transfer). */
export function pendingToAvro(
  pending: PendingTerms | undefined,
): Pick<TransferRecord, 'pending' | 'timeoutSeconds'> {
  if (pending === undefined) return { pending: false, timeoutSeconds: null };
  const { timeoutSeconds } = pending;
  return {
    pending: true,
    timeoutSeconds: timeoutSeconds === undefined ? null : { long: checkTimeout(timeoutSeconds) },
  };
}

export function pendingFromAvro(record: TransferRecord): { pending?: PendingTerms } {
  const timeout = record.timeoutSeconds?.long;
  if (record.pending !== true) {
    if (timeout !== undefined) {
      throw new WireContractError(
        'invalid_request',
        'payload.timeoutSeconds',
        'only on a pending transfer',
      );
    }
    return {};
  }
  return { pending: timeout === undefined ? {} : { timeoutSeconds: checkTimeout(timeout) } };
}

function checkTimeout(seconds: number): number {
  const checked = checkSafeInteger(seconds, 'payload.timeoutSeconds', 1);
  if (checked > pendingTimeoutSecondsMax) {
    throw new WireContractError(
      'invalid_request',
      'payload.timeoutSeconds',
      `at most ${pendingTimeoutSecondsMax}`,
    );
  }
  return checked;
}

export function settlePendingToAvro(command: SettlePending): SettlePendingRecord {
  checkSettlementShape(command.action, command.amount !== undefined, command.asOf !== undefined);
  return {
    ...settlementIds(command),
    action: command.action,
    amount: optionalAmountToAvro(command.amount),
    asOf: optionalMillisToAvro(command.asOf, 'payload.asOf'),
  };
}

export function settlePendingFromAvro(record: SettlePendingRecord): SettlePending {
  const action = checkOneOf(record.action, settlementActions, 'payload.action');
  checkSettlementShape(action, record.amount !== null, record.asOf !== null);
  return {
    type: 'SettlePending',
    ...settlementIds(record),
    action,
    ...optionalAmountFromAvro(record.amount),
    ...(record.asOf === null ? {} : { asOf: checkEpochMillis(record.asOf.long, 'payload.asOf') }),
  };
}

/** An amount only on a post, a time exactly on an expiry. */
function checkSettlementShape(action: string, hasAmount: boolean, hasAsOf: boolean): void {
  if (hasAmount && action !== 'post') {
    throw new WireContractError('invalid_request', 'payload.amount', 'only a post has an amount');
  }
  if (hasAsOf !== (action === 'expire')) {
    throw new WireContractError('invalid_request', 'payload.asOf', 'set exactly on an expire');
  }
}

/** The pending transfer's id and accounts, as every settlement record and command carries them. */
export function settlementIds(source: {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
}) {
  return {
    transferId: checkId(source.transferId, 'payload.transferId'),
    fromAccountId: checkId(source.fromAccountId, 'payload.fromAccountId'),
    toAccountId: checkId(source.toAccountId, 'payload.toAccountId'),
  };
}

export function optionalAmountToAvro(amount: bigint | undefined): OptionalString {
  return amount === undefined ? null : { string: formatAmount(amount, 'payload.amount') };
}

export function optionalAmountFromAvro(wrapped: OptionalString): { amount?: bigint } {
  return wrapped === null ? {} : { amount: parseAmount(wrapped.string, 'payload.amount') };
}

export function optionalMillisToAvro(value: EpochMillis | undefined, field: string): OptionalLong {
  return value === undefined ? null : { long: checkEpochMillis(value, field) };
}

/** A leg's held amount: 0 or more, as wide as a balance. */
export function heldToAvro(held: bigint | undefined, field: string): OptionalString {
  if (held === undefined) return null;
  if (held < 0n) throw new WireContractError('invalid_request', field, 'held is never negative');
  return { string: formatBalance(held, field) };
}

export function heldFromAvro(
  wrapped: OptionalString | undefined,
  field: string,
): { heldAfter?: bigint } {
  if (wrapped === null || wrapped === undefined) return {};
  const held = parseBalance(wrapped.string, field);
  if (held < 0n) throw new WireContractError('invalid_request', field, 'held is never negative');
  return { heldAfter: held };
}
