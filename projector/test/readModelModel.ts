import type {
  AccountHistoryRow,
  AccountViewRow,
  ReadModelChanges,
  TransferViewRow,
} from '../src/readModelProjection.ts';

/**
 * An in-memory model of what readModelStore.ts's statements do to the tables (the version-guarded
 * upsert, `on conflict do nothing` for history and transfers), so a unit test can apply batches
 * in every order and split and compare the end states. The integration tests check the SQL
 * against this behaviour on a real Postgres.
 */
export class ReadModelModel {
  readonly accounts = new Map<string, AccountViewRow>();
  readonly history = new Map<string, AccountHistoryRow>();
  readonly transfers = new Map<string, TransferViewRow>();

  apply(changes: ReadModelChanges): void {
    for (const row of changes.accounts) {
      const stored = this.accounts.get(row.accountId);
      if (stored === undefined || stored.version < row.version) {
        this.accounts.set(row.accountId, { ...row, opening: stored?.opening ?? row.opening });
      } else if (stored.opening === null && row.opening !== null) {
        this.accounts.set(row.accountId, { ...stored, opening: row.opening });
      }
    }
    for (const row of changes.history) {
      const key = `${row.accountId}/${row.version}`;
      if (!this.history.has(key)) this.history.set(key, row);
    }
    for (const row of changes.transfers) {
      if (!this.transfers.has(row.transferId)) this.transfers.set(row.transferId, row);
    }
  }

  /** The tables' contents in key order, comparable with deepEqual. */
  snapshot() {
    const sorted = <T>(map: Map<string, T>) =>
      [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    return {
      accounts: sorted(this.accounts),
      history: sorted(this.history),
      transfers: sorted(this.transfers),
    };
  }
}
