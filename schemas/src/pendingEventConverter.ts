import { formatAmount, parseAmount } from './amounts.ts';
import type {
  PendingPostedRecord,
  PendingVoidedRecord,
  SettlementRejectedRecord,
  TransferPendingRecord,
} from './avroRecordTypes.ts';
import type {
  PendingPosted,
  PendingVoided,
  SettlementRejected,
  TransferPending,
} from './domainTypes.ts';
import { checkEpochMillis, checkOneOf, settlementActions, voidReasons } from './fieldRules.ts';
import { legFromAvro, legToAvro, transferFields } from './legWire.ts';
import { checkMetadata } from './metadataLimits.ts';
import {
  optionalAmountFromAvro,
  optionalAmountToAvro,
  optionalMillisToAvro,
  settlementIds,
} from './pendingWire.ts';
import { settlementRejectionCodes } from '@ledger/runtime';
import { WireContractError } from './wireContractError.ts';

/**
 * The events of pending transfers (v3 on) <-> their Avro records. Besides formats they hold the
 * facts a consumer relies on: a hold changes only the held amount of fromAccountId, a post moves
 * at most what was pending, a release gives back exactly the pending amount.
 */

export function transferPendingToAvro(event: TransferPending): TransferPendingRecord {
  checkHoldLeg(event.debit.heldAfter, 'payload.debit');
  return {
    ...transferFields(event),
    amount: formatAmount(event.amount, 'payload.amount'),
    metadata: { ...checkMetadata(event.metadata, 'payload.metadata') },
    debit: legToAvro(event.debit, event.fromAccountId, 'payload.debit'),
    expiresAt: optionalMillisToAvro(event.expiresAt, 'payload.expiresAt'),
  };
}

export function transferPendingFromAvro(record: TransferPendingRecord): TransferPending {
  const debit = legFromAvro(record.debit, record.fromAccountId, 'payload.debit');
  checkHoldLeg(debit.heldAfter, 'payload.debit');
  return {
    type: 'TransferPending',
    ...transferFields(record),
    amount: parseAmount(record.amount, 'payload.amount'),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
    debit,
    ...(record.expiresAt === null
      ? {}
      : { expiresAt: checkEpochMillis(record.expiresAt.long, 'payload.expiresAt') }),
  };
}

export function pendingPostedToAvro(event: PendingPosted): PendingPostedRecord {
  checkPostedAmount(event.amount, event.pendingAmount);
  checkHoldLeg(event.debit.heldAfter, 'payload.debit');
  return {
    ...transferFields(event),
    amount: formatAmount(event.amount, 'payload.amount'),
    pendingAmount: formatAmount(event.pendingAmount, 'payload.pendingAmount'),
    debit: legToAvro(event.debit, event.fromAccountId, 'payload.debit'),
    credit: legToAvro(event.credit, event.toAccountId, 'payload.credit'),
  };
}

export function pendingPostedFromAvro(record: PendingPostedRecord): PendingPosted {
  const amount = parseAmount(record.amount, 'payload.amount');
  const pendingAmount = parseAmount(record.pendingAmount, 'payload.pendingAmount');
  checkPostedAmount(amount, pendingAmount);
  const debit = legFromAvro(record.debit, record.fromAccountId, 'payload.debit');
  checkHoldLeg(debit.heldAfter, 'payload.debit');
  return {
    type: 'PendingPosted',
    ...transferFields(record),
    amount,
    pendingAmount,
    debit,
    credit: legFromAvro(record.credit, record.toAccountId, 'payload.credit'),
  };
}

export function pendingVoidedToAvro(event: PendingVoided): PendingVoidedRecord {
  checkHoldLeg(event.debit.heldAfter, 'payload.debit');
  return {
    ...transferFields(event),
    amount: formatAmount(event.amount, 'payload.amount'),
    reason: checkOneOf(event.reason, voidReasons, 'payload.reason'),
    debit: legToAvro(event.debit, event.fromAccountId, 'payload.debit'),
  };
}

export function pendingVoidedFromAvro(record: PendingVoidedRecord): PendingVoided {
  const debit = legFromAvro(record.debit, record.fromAccountId, 'payload.debit');
  checkHoldLeg(debit.heldAfter, 'payload.debit');
  return {
    type: 'PendingVoided',
    ...transferFields(record),
    amount: parseAmount(record.amount, 'payload.amount'),
    reason: checkOneOf(record.reason, voidReasons, 'payload.reason'),
    debit,
  };
}

export function settlementRejectedToAvro(event: SettlementRejected): SettlementRejectedRecord {
  return {
    ...settlementIds(event),
    action: checkOneOf(event.action, settlementActions, 'payload.action'),
    amount: optionalAmountToAvro(event.amount),
    code: checkOneOf(event.code, settlementRejectionCodes, 'payload.code'),
  };
}

export function settlementRejectedFromAvro(record: SettlementRejectedRecord): SettlementRejected {
  return {
    type: 'SettlementRejected',
    ...settlementIds(record),
    action: checkOneOf(record.action, settlementActions, 'payload.action'),
    ...optionalAmountFromAvro(record.amount),
    code: checkOneOf(record.code, settlementRejectionCodes, 'payload.code'),
  };
}

/** The events of holds always say what is held after them. */
function checkHoldLeg(heldAfter: bigint | undefined, field: string): void {
  if (heldAfter === undefined) {
    throw new WireContractError('invalid_request', `${field}.heldAfter`, 'is required here');
  }
}

function checkPostedAmount(amount: bigint, pendingAmount: bigint): void {
  if (amount > pendingAmount) {
    throw new WireContractError('invalid_request', 'payload.amount', 'at most pendingAmount');
  }
}
