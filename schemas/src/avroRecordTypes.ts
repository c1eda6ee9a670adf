/**
 * The Avro records exactly as avsc reads and writes them with `wrapUnions: true`: amounts are
 * strings, every union value is `null` or a one-key object naming its branch (`{ string: 'x' }`,
 * `{ 'ledger.v1.Transfer': {...} }`), the same shape Avro's JSON encoding and avro-tools show.
 * Only the converters see these types; the golden fixtures pin them to avro/*.avsc.
 */

/** Full names of the named union branches, as avsc keys wrapped union values. */
export const branchNames = {
  openAccount: 'ledger.v1.OpenAccount',
  transfer: 'ledger.v1.Transfer',
  accountOpened: 'ledger.v1.AccountOpened',
  transferPosted: 'ledger.v1.TransferPosted',
  transferRejected: 'ledger.v1.TransferRejected',
  accountOpenRejected: 'ledger.v1.AccountOpenRejected',
} as const;

type MetadataRecord = Record<string, string>;

export interface OpenAccountRecord {
  accountId: string;
  currency: string;
  overdraftLimit: string;
  metadata: MetadataRecord;
}

export interface TransferRecord {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  currency: string;
  metadata: MetadataRecord;
  /** Since v2; absent when decoding a v1 record without schema resolution. */
  reversalOf?: { string: string } | null;
}

export type CommandPayloadRecord =
  { [branchNames.openAccount]: OpenAccountRecord } | { [branchNames.transfer]: TransferRecord };

export interface LedgerCommandRecord {
  commandId: string;
  idempotencyKey: string;
  requestHash: string;
  receivedAt: number;
  traceparent: { string: string } | null;
  payload: CommandPayloadRecord;
}

export interface AccountOpenedRecord {
  accountId: string;
  currency: string;
  overdraftLimit: string;
  metadata: MetadataRecord;
  version: number;
  balance: string;
}

export interface LegRecord {
  accountId: string;
  balanceAfter: string;
  version: number;
}

export interface TransferPostedRecord {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  currency: string;
  metadata: MetadataRecord;
  debit: LegRecord;
  credit: LegRecord;
  reversalOf?: { string: string } | null;
}

export interface TransferRejectedRecord {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  currency: string;
  code: string;
  reversalOf?: { string: string } | null;
}

export interface AccountOpenRejectedRecord {
  accountId: string;
  code: string;
}

export type EventPayloadRecord =
  | { [branchNames.accountOpened]: AccountOpenedRecord }
  | { [branchNames.transferPosted]: TransferPostedRecord }
  | { [branchNames.transferRejected]: TransferRejectedRecord }
  | { [branchNames.accountOpenRejected]: AccountOpenRejectedRecord };

export interface ChainLinkRecord {
  chain: number;
  sequence: number;
  /** Avro fixed(32). */
  hash: Buffer;
}

export interface LedgerEventRecord {
  eventId: string;
  commandId: string;
  occurredAt: number;
  payload: EventPayloadRecord;
  /** Since v2; absent when decoding a v1 record without schema resolution. */
  chain?: { 'ledger.v1.ChainLink': ChainLinkRecord } | null;
}

export interface BalanceChangedRecord {
  accountId: string;
  currency: string;
  balance: string;
  version: number;
  updatedAt: number;
}

export interface DeadLetterRecord {
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  key: { bytes: Buffer } | null;
  value: Buffer;
  reason: string;
  failedAt: number;
}
