import { assert } from '@ledger/runtime';
import type { EpochMillis, EventType, LedgerEvent, Metadata } from '@ledger/schemas';

/**
 * The projection as a pure function: a batch of events in, the read-model rows they imply out.
 * No I/O and no clock, so every rule about order and duplicates is unit-tested here, and the live
 * projector and the rebuild produce the same rows from the same events.
 *
 * What the rows must survive (see docs/architecture.md "The read path"):
 * - Duplicates: the processor's outbox relay is at-least-once, so an event may come twice.
 *   Rows are keyed by what identifies a fact (account + version, transferId), so a copy merges
 *   into the same row here and is ignored by the database (`on conflict do nothing`).
 * - Out-of-order versions: a TransferPosted's credit leg is published in the partition of its
 *   from-account, so one account's versions arrive from several partitions. The account row
 *   carries the highest version of the batch; the store only writes it over an older one.
 * Every timestamp is an event's occurredAt, so a replay reproduces the rows exactly.
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
  readonly version: number;
  /** occurredAt of the event that produced `version`. */
  readonly updatedAtMs: EpochMillis;
  readonly opening: AccountOpening | null;
}

export type Direction = 'debit' | 'credit';

/** account_history: one leg of one posted transfer. */
export interface AccountHistoryRow {
  readonly accountId: string;
  readonly version: number;
  readonly transferId: string;
  readonly direction: Direction;
  /** Positive; `direction` gives the sign. */
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  readonly counterpartyAccountId: string;
  readonly postedAtMs: EpochMillis;
}

/** transfer_view: the decision about one transfer. */
export interface TransferViewRow {
  readonly transferId: string;
  readonly status: 'posted' | 'rejected';
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly code: string | null;
  readonly postedAtMs: EpochMillis | null;
  readonly decidedAtMs: EpochMillis;
  /** The transfer this one reverses (transfers.reversal_of); absent on an ordinary transfer. */
  readonly reversalOf?: string;
}

/** The rows of one batch, each list sorted by key so writers lock rows in one global order. */
export interface ReadModelChanges {
  readonly accounts: readonly AccountViewRow[];
  readonly history: readonly AccountHistoryRow[];
  readonly transfers: readonly TransferViewRow[];
  /** Events per type in the batch, duplicates included (for metrics). */
  readonly eventCounts: Readonly<Record<EventType, number>>;
}

export function projectEvents(events: readonly LedgerEvent[]): ReadModelChanges {
  const accounts = new Map<string, AccountViewRow>();
  const history = new Map<string, AccountHistoryRow>();
  const transfers = new Map<string, TransferViewRow>();
  const eventCounts: Record<EventType, number> = {
    AccountOpened: 0,
    TransferPosted: 0,
    TransferRejected: 0,
    AccountOpenRejected: 0,
  };
  for (const event of events) {
    const { payload, occurredAt } = event;
    eventCounts[payload.type] += 1;
    switch (payload.type) {
      case 'AccountOpened': {
        assert(
          payload.version === 1,
          `AccountOpened ${payload.accountId} at version ${payload.version}`,
        );
        mergeAccount(accounts, {
          accountId: payload.accountId,
          currency: payload.currency,
          balance: payload.balance,
          version: payload.version,
          updatedAtMs: occurredAt,
          opening: {
            overdraftLimit: payload.overdraftLimit,
            status: 'open',
            metadata: payload.metadata,
            createdAtMs: occurredAt,
          },
        });
        break;
      }
      case 'TransferPosted': {
        assert(
          payload.debit.accountId === payload.fromAccountId &&
            payload.credit.accountId === payload.toAccountId,
          `TransferPosted ${payload.transferId}: legs do not match its accounts`,
        );
        const legs = [
          { leg: payload.debit, direction: 'debit', counterparty: payload.toAccountId },
          { leg: payload.credit, direction: 'credit', counterparty: payload.fromAccountId },
        ] as const;
        for (const { leg, direction, counterparty } of legs) {
          mergeAccount(accounts, {
            accountId: leg.accountId,
            currency: payload.currency,
            balance: leg.balanceAfter,
            version: leg.version,
            updatedAtMs: occurredAt,
            opening: null,
          });
          mergeHistory(history, {
            accountId: leg.accountId,
            version: leg.version,
            transferId: payload.transferId,
            direction,
            amount: payload.amount,
            balanceAfter: leg.balanceAfter,
            counterpartyAccountId: counterparty,
            postedAtMs: occurredAt,
          });
        }
        mergeTransfer(transfers, {
          transferId: payload.transferId,
          status: 'posted',
          fromAccountId: payload.fromAccountId,
          toAccountId: payload.toAccountId,
          amount: payload.amount,
          currency: payload.currency,
          code: null,
          postedAtMs: occurredAt,
          decidedAtMs: occurredAt,
          ...(payload.reversalOf === undefined ? {} : { reversalOf: payload.reversalOf }),
        });
        break;
      }
      case 'TransferRejected':
        mergeTransfer(transfers, {
          transferId: payload.transferId,
          status: 'rejected',
          fromAccountId: payload.fromAccountId,
          toAccountId: payload.toAccountId,
          amount: payload.amount,
          currency: payload.currency,
          code: payload.code,
          postedAtMs: null,
          decidedAtMs: occurredAt,
          ...(payload.reversalOf === undefined ? {} : { reversalOf: payload.reversalOf }),
        });
        break;
      case 'AccountOpenRejected':
        // The account exists already; a refused second opening changes no read model.
        break;
      default:
        payload satisfies never;
    }
  }
  return {
    accounts: [...accounts.values()].sort((a, b) => compareKeys(a.accountId, b.accountId)),
    history: [...history.values()].sort(
      (a, b) => compareKeys(a.accountId, b.accountId) || a.version - b.version,
    ),
    transfers: [...transfers.values()].sort((a, b) => compareKeys(a.transferId, b.transferId)),
    eventCounts,
  };
}

/** Byte order for the ASCII ids of docs/contract.md: the order of the `collate "C"` keys in Postgres. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps the newest version's state, and the opening from whichever event carried it. Two events
 * claiming the same version with different balances cannot both come from the ledger: crash.
 */
function mergeAccount(accounts: Map<string, AccountViewRow>, incoming: AccountViewRow): void {
  const known = accounts.get(incoming.accountId);
  if (known === undefined) {
    accounts.set(incoming.accountId, incoming);
    return;
  }
  if (known.version === incoming.version) {
    assert(
      known.balance === incoming.balance,
      `account ${incoming.accountId} version ${incoming.version} seen with two balances`,
    );
  }
  const newest = incoming.version > known.version ? incoming : known;
  accounts.set(incoming.accountId, { ...newest, opening: known.opening ?? incoming.opening });
}

function mergeHistory(history: Map<string, AccountHistoryRow>, row: AccountHistoryRow): void {
  const key = `${row.accountId}\u0000${row.version}`;
  const known = history.get(key);
  assert(
    known === undefined || (known.transferId === row.transferId && known.amount === row.amount),
    `account ${row.accountId} version ${row.version} posted by two transfers`,
  );
  history.set(key, row);
}

function mergeTransfer(transfers: Map<string, TransferViewRow>, row: TransferViewRow): void {
  const known = transfers.get(row.transferId);
  assert(
    known === undefined || known.status === row.status,
    `transfer ${row.transferId} decided twice, differently`,
  );
  // The first decision is final (the store inserts with `on conflict do nothing` too).
  if (known === undefined) transfers.set(row.transferId, row);
}
