import { accountOpenRejectionCodes, transferRejectionCodes } from '@ledger/runtime';
import {
  accountChangedFromAvro,
  accountChangedToAvro,
  accountChangeRejectedFromAvro,
  accountChangeRejectedToAvro,
} from './accountChangeWire.ts';
import {
  formatAmount,
  formatBalance,
  formatOverdraftLimit,
  parseAmount,
  parseBalance,
  parseOverdraftLimit,
} from './amounts.ts';
import {
  branchNames,
  type AccountOpenedRecord,
  type AccountOpenRejectedRecord,
  type ChainLinkRecord,
  type EventPayloadRecord,
  type LedgerEventRecord,
  type TransferPostedRecord,
  type TransferRejectedRecord,
} from './avroRecordTypes.ts';
import type {
  ChainLink,
  AccountOpened,
  AccountOpenRejected,
  AccountOpenRejectionCode,
  EventPayload,
  LedgerEvent,
  TransferPosted,
  TransferRejected,
} from './domainTypes.ts';
import {
  checkCurrency,
  checkEpochMillis,
  checkId,
  checkOneOf,
  checkPattern,
  checkSafeInteger,
  sha256HexPattern,
  unknownVariant,
} from './fieldRules.ts';
import { checkMetadata } from './metadataLimits.ts';
import { legFromAvro, legToAvro, transferFields } from './legWire.ts';
import {
  pendingPostedFromAvro,
  pendingPostedToAvro,
  pendingVoidedFromAvro,
  pendingVoidedToAvro,
  settlementRejectedFromAvro,
  settlementRejectedToAvro,
  transferPendingFromAvro,
  transferPendingToAvro,
} from './pendingEventConverter.ts';
import { reversalOfFromAvro, reversalOfToAvro } from './reversalOf.ts';
import { WireContractError } from './wireContractError.ts';

/** The codes each rejection event may carry: runtime's error catalogue is their one home. */
export { accountOpenRejectionCodes, transferRejectionCodes };
export { accountChangeRejectionCodes, settlementRejectionCodes } from '@ledger/runtime';

/**
 * Domain event <-> Avro record of avro/LedgerEvent.avsc. Pure and strict both ways; besides field
 * formats it asserts the few facts the contract states (an account opens at version 1 with balance
 * 0, a posting's legs name its two accounts), so a processor bug cannot reach the log and a
 * corrupted log cannot reach a read model.
 */
export function eventToAvro(event: LedgerEvent): LedgerEventRecord {
  return {
    ...envelopeFields(event),
    payload: payloadToAvro(event.payload),
    chain: event.chain === undefined ? null : { [chainLinkBranch]: chainLinkToAvro(event.chain) },
  };
}

export function eventFromAvro(record: LedgerEventRecord): LedgerEvent {
  const link = record.chain?.[chainLinkBranch];
  return {
    ...envelopeFields(record),
    payload: payloadFromAvro(record.payload),
    ...(link === undefined ? {} : { chain: chainLinkFromAvro(link) }),
  };
}

const chainLinkBranch = 'ledger.v1.ChainLink';

// Well-formed only: whether a link follows its predecessor is the auditor's question.
function chainLinkToAvro(link: ChainLink): ChainLinkRecord {
  return {
    chain: checkSafeInteger(link.chain, 'chain.chain', 0),
    sequence: checkSafeInteger(link.sequence, 'chain.sequence', 1),
    hash: Buffer.from(checkPattern(link.hash, 'chain.hash', sha256HexPattern), 'hex'),
  };
}

function chainLinkFromAvro(record: ChainLinkRecord): ChainLink {
  return {
    chain: checkSafeInteger(record.chain, 'chain.chain', 0),
    sequence: checkSafeInteger(record.sequence, 'chain.sequence', 1),
    hash: record.hash.toString('hex'),
  };
}

function envelopeFields(source: LedgerEvent | LedgerEventRecord) {
  return {
    eventId: checkId(source.eventId, 'eventId'),
    commandId: checkId(source.commandId, 'commandId'),
    occurredAt: checkEpochMillis(source.occurredAt, 'occurredAt'),
  };
}

function payloadToAvro(payload: EventPayload): EventPayloadRecord {
  switch (payload.type) {
    case 'AccountOpened':
      return { [branchNames.accountOpened]: accountOpenedToAvro(payload) };
    case 'TransferPosted':
      return { [branchNames.transferPosted]: transferPostedToAvro(payload) };
    case 'TransferRejected':
      return { [branchNames.transferRejected]: transferRejectedToAvro(payload) };
    case 'AccountOpenRejected':
      return { [branchNames.accountOpenRejected]: accountOpenRejectedToAvro(payload) };
    case 'TransferPending':
      return { [branchNames.transferPending]: transferPendingToAvro(payload) };
    case 'PendingPosted':
      return { [branchNames.pendingPosted]: pendingPostedToAvro(payload) };
    case 'PendingVoided':
      return { [branchNames.pendingVoided]: pendingVoidedToAvro(payload) };
    case 'SettlementRejected':
      return { [branchNames.settlementRejected]: settlementRejectedToAvro(payload) };
    case 'AccountChanged':
      return { [branchNames.accountChanged]: accountChangedToAvro(payload) };
    case 'AccountChangeRejected':
      return { [branchNames.accountChangeRejected]: accountChangeRejectedToAvro(payload) };
    default:
      return unknownVariant(payload, 'payload.type');
  }
}

function payloadFromAvro(wrapped: EventPayloadRecord): EventPayload {
  if (branchNames.accountOpened in wrapped) {
    return accountOpenedFromAvro(wrapped[branchNames.accountOpened]);
  }
  if (branchNames.transferPosted in wrapped) {
    return transferPostedFromAvro(wrapped[branchNames.transferPosted]);
  }
  if (branchNames.transferRejected in wrapped) {
    return transferRejectedFromAvro(wrapped[branchNames.transferRejected]);
  }
  if (branchNames.accountOpenRejected in wrapped) {
    return accountOpenRejectedFromAvro(wrapped[branchNames.accountOpenRejected]);
  }
  if (branchNames.transferPending in wrapped) {
    return transferPendingFromAvro(wrapped[branchNames.transferPending]);
  }
  if (branchNames.pendingPosted in wrapped) {
    return pendingPostedFromAvro(wrapped[branchNames.pendingPosted]);
  }
  if (branchNames.pendingVoided in wrapped) {
    return pendingVoidedFromAvro(wrapped[branchNames.pendingVoided]);
  }
  if (branchNames.settlementRejected in wrapped) {
    return settlementRejectedFromAvro(wrapped[branchNames.settlementRejected]);
  }
  if (branchNames.accountChanged in wrapped) {
    return accountChangedFromAvro(wrapped[branchNames.accountChanged]);
  }
  if (branchNames.accountChangeRejected in wrapped) {
    return accountChangeRejectedFromAvro(wrapped[branchNames.accountChangeRejected]);
  }
  return unknownVariant(wrapped, 'payload');
}

function accountOpenedToAvro(event: AccountOpened): AccountOpenedRecord {
  checkOpening(event.version, event.balance);
  return {
    accountId: checkId(event.accountId, 'payload.accountId'),
    currency: checkCurrency(event.currency, 'payload.currency'),
    overdraftLimit: formatOverdraftLimit(event.overdraftLimit, 'payload.overdraftLimit'),
    metadata: { ...checkMetadata(event.metadata, 'payload.metadata') },
    version: event.version,
    balance: formatBalance(event.balance, 'payload.balance'),
  };
}

function accountOpenedFromAvro(record: AccountOpenedRecord): AccountOpened {
  const balance = parseBalance(record.balance, 'payload.balance');
  checkOpening(record.version, balance);
  return {
    type: 'AccountOpened',
    accountId: checkId(record.accountId, 'payload.accountId'),
    currency: checkCurrency(record.currency, 'payload.currency'),
    overdraftLimit: parseOverdraftLimit(record.overdraftLimit, 'payload.overdraftLimit'),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
    version: record.version,
    balance,
  };
}

/** docs/contract.md: `version` starts at 1 when the account opens; accounts open empty. */
function checkOpening(version: number, balance: bigint): void {
  if (version !== 1) {
    throw new WireContractError('invalid_request', 'payload.version', 'an account opens at 1');
  }
  if (balance !== 0n) {
    throw new WireContractError('invalid_request', 'payload.balance', 'an account opens at 0');
  }
}

function transferPostedToAvro(event: TransferPosted): TransferPostedRecord {
  return {
    ...transferFields(event),
    amount: formatAmount(event.amount, 'payload.amount'),
    metadata: { ...checkMetadata(event.metadata, 'payload.metadata') },
    debit: legToAvro(event.debit, event.fromAccountId, 'payload.debit'),
    credit: legToAvro(event.credit, event.toAccountId, 'payload.credit'),
    reversalOf: reversalOfToAvro(event.reversalOf),
  };
}

function transferPostedFromAvro(record: TransferPostedRecord): TransferPosted {
  return {
    type: 'TransferPosted',
    ...transferFields(record),
    amount: parseAmount(record.amount, 'payload.amount'),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
    debit: legFromAvro(record.debit, record.fromAccountId, 'payload.debit'),
    credit: legFromAvro(record.credit, record.toAccountId, 'payload.credit'),
    ...reversalOfFromAvro(record.reversalOf),
  };
}

function transferRejectedToAvro(event: TransferRejected): TransferRejectedRecord {
  return {
    ...transferFields(event),
    amount: formatAmount(event.amount, 'payload.amount'),
    code: checkOneOf(event.code, transferRejectionCodes, 'payload.code'),
    reversalOf: reversalOfToAvro(event.reversalOf),
  };
}

function transferRejectedFromAvro(record: TransferRejectedRecord): TransferRejected {
  return {
    type: 'TransferRejected',
    ...transferFields(record),
    amount: parseAmount(record.amount, 'payload.amount'),
    code: checkOneOf(record.code, transferRejectionCodes, 'payload.code'),
    ...reversalOfFromAvro(record.reversalOf),
  };
}

function accountOpenRejectedToAvro(event: AccountOpenRejected): AccountOpenRejectedRecord {
  return {
    accountId: checkId(event.accountId, 'payload.accountId'),
    code: checkOneOf<AccountOpenRejectionCode>(
      event.code,
      accountOpenRejectionCodes,
      'payload.code',
    ),
  };
}

function accountOpenRejectedFromAvro(record: AccountOpenRejectedRecord): AccountOpenRejected {
  return {
    type: 'AccountOpenRejected',
    accountId: checkId(record.accountId, 'payload.accountId'),
    code: checkOneOf<AccountOpenRejectionCode>(
      record.code,
      accountOpenRejectionCodes,
      'payload.code',
    ),
  };
}
