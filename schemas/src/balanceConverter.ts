import { formatBalance, parseBalance } from './amounts.ts';
import type { BalanceChangedRecord } from './avroRecordTypes.ts';
import type { BalanceChanged } from './domainTypes.ts';
import { WireContractError } from './wireContractError.ts';
import {
  checkCurrency,
  checkEpochMillis,
  checkId,
  checkSafeInteger,
  checkVersion,
} from './fieldRules.ts';

/** Domain balance change <-> Avro record of avro/BalanceChanged.avsc; pure and strict both ways. */
export function balanceToAvro(change: BalanceChanged): BalanceChangedRecord {
  checkAvailable(change.balance, change.available);
  return {
    ...sharedFields(change),
    balance: formatBalance(change.balance),
    available:
      change.available === undefined
        ? null
        : { string: formatBalance(change.available, 'available') },
    revision: change.revision === undefined ? null : { long: checkRevision(change.revision) },
  };
}

export function balanceFromAvro(record: BalanceChangedRecord): BalanceChanged {
  const balance = parseBalance(record.balance);
  const wrapped = record.available;
  const revision = record.revision?.long;
  const withRevision = revision === undefined ? {} : { revision: checkRevision(revision) };
  if (wrapped === null || wrapped === undefined) {
    return { ...sharedFields(record), balance, ...withRevision };
  }
  const available = parseBalance(wrapped.string, 'available');
  checkAvailable(balance, available);
  return { ...sharedFields(record), balance, available, ...withRevision };
}

/** The account's settings version: 1 when it opened, +1 per applied change (v3 on). */
function checkRevision(revision: number): number {
  return checkSafeInteger(revision, 'revision', 1);
}

/** Holds only ever take from what is available: it is never above the balance. */
function checkAvailable(balance: bigint, available: bigint | undefined): void {
  if (available !== undefined && available > balance) {
    throw new WireContractError('invalid_request', 'available', 'is never above balance');
  }
}

function sharedFields(source: BalanceChanged | BalanceChangedRecord) {
  return {
    accountId: checkId(source.accountId, 'accountId'),
    currency: checkCurrency(source.currency),
    version: checkVersion(source.version),
    updatedAt: checkEpochMillis(source.updatedAt, 'updatedAt'),
  };
}
