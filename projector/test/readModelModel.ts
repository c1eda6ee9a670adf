import assert from 'node:assert/strict';
import type {
  AccountHistoryRow,
  AccountViewRow,
  ReadModelChanges,
  TransferViewRow,
} from '../src/readModelProjection.ts';
import { accountUpserts } from '../src/readModelStore.ts';

/** account_view's settings columns: status, metadata, revision. */
export interface StoredSettings {
  readonly status: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly revision: number;
}

/**
 * An in-memory model of what readModelStore.ts's statements do to the tables (the version-guarded
 * and revision-guarded upsert, `on conflict do nothing` for history and transfers), so a unit test
 * can apply batches in every order and split and compare the end states. The integration tests
 * check the SQL against this behaviour on a real Postgres.
 */
export class ReadModelModel {
  readonly accounts = new Map<string, AccountViewRow>();
  readonly settings = new Map<string, StoredSettings>();
  readonly history = new Map<string, AccountHistoryRow>();
  readonly transfers = new Map<string, TransferViewRow>();

  apply(changes: ReadModelChanges): void {
    for (const { accountId, row, settings } of accountUpserts(changes)) {
      const stored = this.accounts.get(accountId);
      if (row === undefined) {
        assert.ok(stored !== undefined, `${accountId}: a settings-only row never inserts`);
      } else if (stored === undefined || stored.version < row.version) {
        this.accounts.set(accountId, { ...row, opening: stored?.opening ?? row.opening });
      } else if (stored.opening === null && row.opening !== null) {
        this.accounts.set(accountId, { ...stored, opening: row.opening });
      }
      const known = this.settings.get(accountId);
      if (
        settings.status !== null &&
        settings.metadata !== null &&
        (known === undefined || known.revision < settings.revision)
      ) {
        const { status, metadata, revision } = settings;
        this.settings.set(accountId, { status, metadata, revision });
      }
      // The table's CHECK: the settings are there exactly when the opening is.
      assert.equal(
        this.settings.has(accountId),
        (this.accounts.get(accountId)?.opening ?? null) !== null,
        `${accountId}: settings without an opening`,
      );
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
      settings: sorted(this.settings),
      history: sorted(this.history),
      transfers: sorted(this.transfers),
    };
  }
}
