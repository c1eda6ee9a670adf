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
  settlePending: 'ledger.v1.SettlePending',
  transferPending: 'ledger.v1.TransferPending',
  pendingPosted: 'ledger.v1.PendingPosted',
  pendingVoided: 'ledger.v1.PendingVoided',
  settlementRejected: 'ledger.v1.SettlementRejected',
  changeAccount: 'ledger.v1.ChangeAccount',
  accountChanged: 'ledger.v1.AccountChanged',
  accountChangeRejected: 'ledger.v1.AccountChangeRejected',
} as const;

/** A `["null", "string"]` / `["null", "long"]` union value as avsc wraps it. */
export type OptionalString = { string: string } | null;
export type OptionalLong = { long: number } | null;

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
  /** Since v3; absent when decoding an older record without schema resolution. */
  pending?: boolean;
  timeoutSeconds?: OptionalLong;
}

/** Since v3. */
export interface SettlePendingRecord {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  action: string;
  amount: OptionalString;
  asOf: OptionalLong;
}

/** Since v4. */
export interface ChangeAccountRecord {
  accountId: string;
  change: string;
  metadata: { map: MetadataRecord } | null;
  expectedRevision: OptionalLong;
}

export type CommandPayloadRecord =
  | { [branchNames.openAccount]: OpenAccountRecord }
  | { [branchNames.transfer]: TransferRecord }
  | { [branchNames.settlePending]: SettlePendingRecord }
  | { [branchNames.changeAccount]: ChangeAccountRecord };

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
  /** Since v3. */
  heldAfter?: OptionalString;
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

/** The accounts and id every record about a pending transfer carries (v3 on). */
interface PendingTransferIds {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
}

export interface TransferPendingRecord extends PendingTransferIds {
  amount: string;
  currency: string;
  metadata: MetadataRecord;
  debit: LegRecord;
  expiresAt: OptionalLong;
}

export interface PendingPostedRecord extends PendingTransferIds {
  amount: string;
  pendingAmount: string;
  currency: string;
  debit: LegRecord;
  credit: LegRecord;
}

export interface PendingVoidedRecord extends PendingTransferIds {
  amount: string;
  currency: string;
  reason: string;
  debit: LegRecord;
}

export interface SettlementRejectedRecord extends PendingTransferIds {
  action: string;
  amount: OptionalString;
  code: string;
}

/** Since v4. */
export interface AccountChangedRecord {
  accountId: string;
  change: string;
  status: string;
  metadata: MetadataRecord;
  revision: number;
  version: number;
}

/** Since v4. */
export interface AccountChangeRejectedRecord {
  accountId: string;
  change: string;
  code: string;
}

export type EventPayloadRecord =
  | { [branchNames.accountOpened]: AccountOpenedRecord }
  | { [branchNames.transferPosted]: TransferPostedRecord }
  | { [branchNames.transferRejected]: TransferRejectedRecord }
  | { [branchNames.accountOpenRejected]: AccountOpenRejectedRecord }
  | { [branchNames.transferPending]: TransferPendingRecord }
  | { [branchNames.pendingPosted]: PendingPostedRecord }
  | { [branchNames.pendingVoided]: PendingVoidedRecord }
  | { [branchNames.settlementRejected]: SettlementRejectedRecord }
  | { [branchNames.accountChanged]: AccountChangedRecord }
  | { [branchNames.accountChangeRejected]: AccountChangeRejectedRecord };

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
  /** Since v2; absent when decoding a v1 record without schema resolution. */
  available?: OptionalString;
  version: number;
  /** Since v3; absent when decoding an older record without schema resolution. */
  revision?: OptionalLong;
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
