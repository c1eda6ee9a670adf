import { formatBalance, parseBalance } from './amounts.ts';
import type { BalanceChangedRecord } from './avroRecordTypes.ts';
import type { BalanceChanged } from './domainTypes.ts';
import { checkCurrency, checkEpochMillis, checkId, checkVersion } from './fieldRules.ts';

/** Domain balance change <-> Avro record of avro/BalanceChanged.avsc; pure and strict both ways. */
export function balanceToAvro(change: BalanceChanged): BalanceChangedRecord {
  return { ...sharedFields(change), balance: formatBalance(change.balance) };
}

export function balanceFromAvro(record: BalanceChangedRecord): BalanceChanged {
  return { ...sharedFields(record), balance: parseBalance(record.balance) };
}

function sharedFields(source: BalanceChanged | BalanceChangedRecord) {
  return {
    accountId: checkId(source.accountId, 'accountId'),
    currency: checkCurrency(source.currency),
    version: checkVersion(source.version),
    updatedAt: checkEpochMillis(source.updatedAt, 'updatedAt'),
  };
}
