import { changeAccountFromAvro, changeAccountToAvro } from './accountChangeWire.ts';
import { formatAmount, formatOverdraftLimit, parseAmount, parseOverdraftLimit } from './amounts.ts';
import {
  branchNames,
  type CommandPayloadRecord,
  type LedgerCommandRecord,
  type OpenAccountRecord,
  type TransferRecord,
} from './avroRecordTypes.ts';
import type { CommandPayload, LedgerCommand, OpenAccount, Transfer } from './domainTypes.ts';
import {
  checkCurrency,
  checkEpochMillis,
  checkId,
  checkPattern,
  idempotencyKeyPattern,
  requestHashPattern,
  traceparentPattern,
  unknownVariant,
} from './fieldRules.ts';
import { checkMetadata } from './metadataLimits.ts';
import {
  pendingFromAvro,
  pendingToAvro,
  settlePendingFromAvro,
  settlePendingToAvro,
} from './pendingWire.ts';
import { reversalOfFromAvro, reversalOfToAvro } from './reversalOf.ts';
import { WireContractError } from './wireContractError.ts';

/**
 * Domain command <-> Avro record of avro/LedgerCommand.avsc. Pure, and strict both ways: encoding
 * refuses what no consumer should receive, decoding refuses what no decider should see (those
 * messages go to the dead-letter topic). Every field is checked, so a converted value is valid.
 */
export function commandToAvro(command: LedgerCommand): LedgerCommandRecord {
  return {
    ...envelopeFields(command),
    traceparent:
      command.traceparent === null ? null : { string: checkTraceparent(command.traceparent) },
    payload: payloadToAvro(command.payload),
  };
}

export function commandFromAvro(record: LedgerCommandRecord): LedgerCommand {
  return {
    ...envelopeFields(record),
    traceparent: record.traceparent === null ? null : checkTraceparent(record.traceparent.string),
    payload: payloadFromAvro(record.payload),
  };
}

/** The fields domain and record share unchanged (checked the same way in both directions). */
function envelopeFields(source: LedgerCommand | LedgerCommandRecord) {
  return {
    commandId: checkId(source.commandId, 'commandId'),
    idempotencyKey: checkPattern(source.idempotencyKey, 'idempotencyKey', idempotencyKeyPattern),
    requestHash: checkPattern(source.requestHash, 'requestHash', requestHashPattern),
    receivedAt: checkEpochMillis(source.receivedAt, 'receivedAt'),
  };
}

function checkTraceparent(traceparent: string): string {
  return checkPattern(traceparent, 'traceparent', traceparentPattern);
}

function payloadToAvro(payload: CommandPayload): CommandPayloadRecord {
  switch (payload.type) {
    case 'OpenAccount':
      return { [branchNames.openAccount]: openAccountToAvro(payload) };
    case 'Transfer':
      return { [branchNames.transfer]: transferToAvro(payload) };
    case 'SettlePending':
      return { [branchNames.settlePending]: settlePendingToAvro(payload) };
    case 'ChangeAccount':
      return { [branchNames.changeAccount]: changeAccountToAvro(payload) };
    default:
      return unknownVariant(payload, 'payload.type');
  }
}

function payloadFromAvro(wrapped: CommandPayloadRecord): CommandPayload {
  if (branchNames.openAccount in wrapped) {
    return openAccountFromAvro(wrapped[branchNames.openAccount]);
  }
  if (branchNames.transfer in wrapped) {
    return transferFromAvro(wrapped[branchNames.transfer]);
  }
  if (branchNames.settlePending in wrapped) {
    return settlePendingFromAvro(wrapped[branchNames.settlePending]);
  }
  if (branchNames.changeAccount in wrapped) {
    return changeAccountFromAvro(wrapped[branchNames.changeAccount]);
  }
  return unknownVariant(wrapped, 'payload');
}

function openAccountToAvro(command: OpenAccount): OpenAccountRecord {
  return {
    accountId: checkId(command.accountId, 'payload.accountId'),
    currency: checkCurrency(command.currency, 'payload.currency'),
    overdraftLimit: formatOverdraftLimit(command.overdraftLimit, 'payload.overdraftLimit'),
    metadata: { ...checkMetadata(command.metadata, 'payload.metadata') },
  };
}

function openAccountFromAvro(record: OpenAccountRecord): OpenAccount {
  return {
    type: 'OpenAccount',
    accountId: checkId(record.accountId, 'payload.accountId'),
    currency: checkCurrency(record.currency, 'payload.currency'),
    overdraftLimit: parseOverdraftLimit(record.overdraftLimit, 'payload.overdraftLimit'),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
  };
}

function transferToAvro(command: Transfer): TransferRecord {
  checkNotPendingReversal(command);
  return {
    transferId: checkId(command.transferId, 'payload.transferId'),
    fromAccountId: checkId(command.fromAccountId, 'payload.fromAccountId'),
    toAccountId: checkId(command.toAccountId, 'payload.toAccountId'),
    amount: formatAmount(command.amount, 'payload.amount'),
    currency: checkCurrency(command.currency, 'payload.currency'),
    metadata: { ...checkMetadata(command.metadata, 'payload.metadata') },
    reversalOf: reversalOfToAvro(command.reversalOf),
    ...pendingToAvro(command.pending),
  };
}

function transferFromAvro(record: TransferRecord): Transfer {
  const transfer: Transfer = {
    type: 'Transfer',
    transferId: checkId(record.transferId, 'payload.transferId'),
    fromAccountId: checkId(record.fromAccountId, 'payload.fromAccountId'),
    toAccountId: checkId(record.toAccountId, 'payload.toAccountId'),
    amount: parseAmount(record.amount, 'payload.amount'),
    currency: checkCurrency(record.currency, 'payload.currency'),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
    ...reversalOfFromAvro(record.reversalOf),
    ...pendingFromAvro(record),
  };
  checkNotPendingReversal(transfer);
  return transfer;
}

/** A reversal moves money back at once: it is never pending. */
function checkNotPendingReversal(transfer: Transfer): void {
  if (transfer.pending !== undefined && transfer.reversalOf !== undefined) {
    throw new WireContractError(
      'invalid_request',
      'payload.pending',
      'a reversal is never pending',
    );
  }
}
