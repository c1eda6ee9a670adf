import { formatBalance, parseBalance } from './amounts.ts';
import type { LegRecord } from './avroRecordTypes.ts';
import type { Leg } from './domainTypes.ts';
import { checkCurrency, checkId, checkSafeInteger } from './fieldRules.ts';
import { heldFromAvro, heldToAvro } from './pendingWire.ts';
import { WireContractError } from './wireContractError.ts';

/** The parts every transfer event shares on the wire: its ids and currency, and its legs. */

interface TransferFields {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly currency: string;
}

/** The fields every transfer event carries, domain or record alike. */
export function transferFields(source: TransferFields): TransferFields {
  return {
    transferId: checkId(source.transferId, 'payload.transferId'),
    fromAccountId: checkId(source.fromAccountId, 'payload.fromAccountId'),
    toAccountId: checkId(source.toAccountId, 'payload.toAccountId'),
    currency: checkCurrency(source.currency, 'payload.currency'),
  };
}

export function legToAvro(leg: Leg, accountId: string, field: string): LegRecord {
  checkLeg(leg.accountId, leg.version, accountId, field);
  return {
    accountId: leg.accountId,
    balanceAfter: formatBalance(leg.balanceAfter, `${field}.balanceAfter`),
    version: leg.version,
    heldAfter: heldToAvro(leg.heldAfter, `${field}.heldAfter`),
  };
}

export function legFromAvro(record: LegRecord, accountId: string, field: string): Leg {
  checkLeg(record.accountId, record.version, accountId, field);
  return {
    accountId: record.accountId,
    balanceAfter: parseBalance(record.balanceAfter, `${field}.balanceAfter`),
    version: record.version,
    ...heldFromAvro(record.heldAfter, `${field}.heldAfter`),
  };
}

/** A leg is the named account's side; versions are >= 2 after an entry (1 is the opening). */
function checkLeg(legAccountId: string, version: number, accountId: string, field: string): void {
  checkId(legAccountId, `${field}.accountId`);
  if (legAccountId !== accountId) {
    throw new WireContractError('invalid_request', `${field}.accountId`, `must be ${accountId}`);
  }
  checkSafeInteger(version, `${field}.version`, 2);
}
