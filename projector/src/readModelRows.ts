import { assert } from '@ledger/runtime';
import type { AccountStatus, EpochMillis, EventType, Metadata } from '@ledger/schemas';

/**
 * The read-model rows one batch of events implies, and how two rows about the same fact merge
 * (readModelProjection.ts explains why facts may come twice or out of order).
 */

/** What only AccountOpened knows; null on a row built from postings alone. */
export interface AccountOpening {
  readonly overdraftLimit: bigint;
  readonly status: 'open';
  readonly metadata: Metadata;
  readonly createdAtMs: EpochMillis;
}

/** account_view: the newest state of one account in the batch. */
export interface AccountViewRow {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: bigint;
  /** What its pending transfers hold after `version` (0 in events before holds existed). */
  readonly held: bigint;
  readonly version: number;
  /** occurredAt of the event that produced `version`. */
  readonly updatedAtMs: EpochMillis;
  readonly opening: AccountOpening | null;
}

export type Direction = 'debit' | 'credit';

/** What an entry did: moved money, held it, or released a hold (voided or expired). */
export type EntryKind = 'posted' | 'pending' | 'voided' | 'expired';

/** account_history: one entry on one account (a leg of a posting, a hold, a hold's release). */
export interface AccountHistoryRow {
  readonly accountId: string;
  readonly version: number;
  readonly transferId: string;
  readonly kind: EntryKind;
  readonly direction: Direction;
  /** Positive; `direction` gives the sign (of a posting; a hold's and a release's are debits). */
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  readonly heldAfter: bigint;
  readonly counterpartyAccountId: string;
  readonly postedAtMs: EpochMillis;
}

/** transfer_view: the decision about one transfer (for a pending one, where it stands). */
export interface TransferViewRow {
  readonly transferId: string;
  readonly status: 'posted' | 'rejected' | 'pending' | 'voided' | 'expired';
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly code: string | null;
  readonly postedAtMs: EpochMillis | null;
  readonly decidedAtMs: EpochMillis;
  /** The transfer this one reverses (transfers.reversal_of); absent on an ordinary transfer. */
  readonly reversalOf?: string;
  /** A pending transfer's amount (what was held); `amount` is what was posted once it is. */
  readonly pendingAmount?: bigint;
  readonly expiresAtMs?: EpochMillis;
  /** A settlement's row: it updates the pending transfer's row rather than inserting one. */
  readonly settles?: true;
}

/**
 * account_view's settings after the newest AccountChanged of the batch: status, the whole
 * metadata map and the revision they are at. Separate from AccountViewRow because the event
 * carries no balance and does not move the version: the two are guarded independently (the
 * version guards the balance, the revision guards the settings; readModelStore.ts).
 */
export interface AccountSettingsRow {
  readonly accountId: string;
  readonly status: AccountStatus;
  readonly metadata: Metadata;
  /** 2 or more: an account opens at revision 1 (its opening's status and metadata). */
  readonly revision: number;
}

/** The rows of one batch, each list sorted by key so writers lock rows in one global order. */
export interface ReadModelChanges {
  readonly accounts: readonly AccountViewRow[];
  /** Applied with `accounts` in one statement, as one key-sorted set of rows. */
  readonly settings: readonly AccountSettingsRow[];
  readonly history: readonly AccountHistoryRow[];
  readonly transfers: readonly TransferViewRow[];
  /** Events per type in the batch, duplicates included (for metrics). */
  readonly eventCounts: Readonly<Record<EventType, number>>;
}

/** Byte order for the ASCII ids of docs/contract.md: the order of the `collate "C"` keys in Postgres. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps the newest version's state, and the opening from whichever event carried it. Two events
 * claiming the same version with different balances cannot both come from the ledger: crash.
 */
export function mergeAccount(
  accounts: Map<string, AccountViewRow>,
  incoming: AccountViewRow,
): void {
  const known = accounts.get(incoming.accountId);
  if (known === undefined) {
    accounts.set(incoming.accountId, incoming);
    return;
  }
  if (known.version === incoming.version) {
    assert(
      known.balance === incoming.balance && known.held === incoming.held,
      `account ${incoming.accountId} version ${incoming.version} seen with two balances`,
    );
  }
  const newest = incoming.version > known.version ? incoming : known;
  accounts.set(incoming.accountId, { ...newest, opening: known.opening ?? incoming.opening });
}

/**
 * Keeps the highest revision's settings. Revisions only rise in the account's own partition, so
 * an older one in the batch is a redelivered copy; one revision with two different settings
 * cannot come from the ledger: crash.
 */
export function mergeSettings(
  settings: Map<string, AccountSettingsRow>,
  incoming: AccountSettingsRow,
): void {
  const known = settings.get(incoming.accountId);
  if (known !== undefined && known.revision === incoming.revision) {
    assert(
      known.status === incoming.status && sameMetadata(known.metadata, incoming.metadata),
      `account ${incoming.accountId} revision ${incoming.revision} seen with two settings`,
    );
  }
  if (known === undefined || known.revision < incoming.revision) {
    settings.set(incoming.accountId, incoming);
  }
}

function sameMetadata(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

export function mergeHistory(
  history: Map<string, AccountHistoryRow>,
  row: AccountHistoryRow,
): void {
  const key = `${row.accountId}\u0000${row.version}`;
  const known = history.get(key);
  assert(
    known === undefined || (known.transferId === row.transferId && known.amount === row.amount),
    `account ${row.accountId} version ${row.version} posted by two transfers`,
  );
  history.set(key, row);
}

export function mergeTransfer(transfers: Map<string, TransferViewRow>, row: TransferViewRow): void {
  const known = transfers.get(row.transferId);
  if (row.settles === true) {
    // A pending transfer's settlement: over its pending row when the batch has it (the insert
    // then carries the outcome), else an update of the stored row. Settled once: a copy of the
    // same settlement merges, another one cannot come from the ledger.
    assert(
      known === undefined ||
        known.status === 'pending' ||
        (known.status === row.status && known.amount === row.amount),
      `transfer ${row.transferId} settled twice, differently`,
    );
    if (known === undefined || known.settles === true) transfers.set(row.transferId, row);
    else if (known.status === 'pending') {
      transfers.set(row.transferId, {
        ...known,
        status: row.status,
        amount: row.amount,
        postedAtMs: row.postedAtMs,
      });
    }
    return;
  }
  assert(
    known === undefined || known.status === row.status || known.settles === true,
    `transfer ${row.transferId} decided twice, differently`,
  );
  // The first decision is final (the store inserts with `on conflict do nothing` too).
  if (known === undefined) transfers.set(row.transferId, row);
}
