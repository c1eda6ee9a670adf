import { assert } from '@ledger/runtime';
import type pg from 'pg';
import { accountEntryOf, type AccountEntry } from '../accountEntry.ts';
import type { AccountLoader } from '../accountModel.ts';

/**
 * What the query API reads (it never writes): an account's balance from the ledger of record,
 * its history and transfers from the projector's read models. Unqualified table
 * names: the pool's search_path names the schema (LEDGER_PG_SCHEMA). Numbers that hold money
 * come back as text (`::text` for numeric, runtime's int8 parser for bigint) and become bigint;
 * versions become safe-integer numbers, checked.
 */
export interface ReadModels {
  readonly loadAccount: AccountLoader;
  /** Newest first, versions strictly below `beforeVersion` when given, at most `limit` rows. */
  loadHistory(
    accountId: string,
    beforeVersion: number | undefined,
    limit: number,
  ): Promise<HistoryItem[]>;
  loadTransfer(transferId: string): Promise<TransferView | undefined>;
}

export interface HistoryItem {
  readonly transferId: string;
  readonly direction: 'debit' | 'credit';
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  readonly version: number;
  readonly counterpartyAccountId: string;
  /** ISO 8601, UTC. */
  readonly postedAt: string;
}

export interface TransferView {
  readonly transferId: string;
  readonly status: 'posted' | 'rejected';
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly code: string | null;
  readonly postedAt: string | null;
}

/** A page is at most this many rows; the HTTP limit (200) plus one look-ahead row fits. */
export const historyRowsMax = 1_000;

// Named statements: Postgres plans each once per connection instead of once per request.
/**
 * A miss reads the account from the ledger of record (`accounts`), not the projector's
 * `account_view`: the processor publishes an account's `BalanceChanged` right after it commits
 * that row, while the projector commits its view of it later. The feed skips changes nobody here
 * wants, so a miss must read a source committed before the change was published, or a change
 * skipped just before the miss could leave the cache on an older version for good (seen: a
 * transfer's credit 201-applied, its account read once, then stuck at the version before it).
 */
const accountStatement = {
  name: 'query_api_account_v2',
  text: `select id as account_id, currency, overdraft_limit, status, balance::text as balance,
                version, metadata, created_at
           from accounts where id = $1`,
};
const historyStatement = {
  name: 'query_api_history_v1',
  text: `select transfer_id, direction, amount, balance_after::text as balance_after, version,
                counterparty_account_id, posted_at
           from account_history
          where account_id = $1 and version < $2
          order by version desc
          limit $3`,
};
const transferStatement = {
  name: 'query_api_transfer_v1',
  text: `select transfer_id, status, from_account_id, to_account_id, amount, currency, code,
                posted_at
           from transfer_view where transfer_id = $1`,
};

/** An `accounts` row: the opening columns are set when the account is opened, never null. */
interface AccountRow {
  account_id: string;
  currency: string;
  overdraft_limit: string;
  status: string;
  balance: string;
  version: string;
  metadata: unknown;
  created_at: Date;
}

interface HistoryRow {
  transfer_id: string;
  direction: string;
  amount: string;
  balance_after: string;
  version: string;
  counterparty_account_id: string;
  posted_at: Date;
}

interface TransferRow {
  transfer_id: string;
  status: string;
  from_account_id: string;
  to_account_id: string;
  amount: string;
  currency: string;
  code: string | null;
  posted_at: Date | null;
}

export function createReadModels(pool: pg.Pool): ReadModels {
  return {
    async loadAccount(accountId) {
      const { rows } = await pool.query<AccountRow>({ ...accountStatement, values: [accountId] });
      const row = rows[0];
      return row === undefined ? undefined : accountFromRow(row);
    },

    async loadHistory(accountId, beforeVersion, limit) {
      assert(limit >= 1 && limit <= historyRowsMax, `history limit ${limit} out of range`);
      // Versions are below 2^53, so "no cursor" is simply "below the largest safe integer".
      const before = String(beforeVersion ?? Number.MAX_SAFE_INTEGER);
      const { rows } = await pool.query<HistoryRow>({
        ...historyStatement,
        values: [accountId, before, limit],
      });
      return rows.map(historyItemFromRow);
    },

    async loadTransfer(transferId) {
      const { rows } = await pool.query<TransferRow>({
        ...transferStatement,
        values: [transferId],
      });
      const row = rows[0];
      return row === undefined ? undefined : transferFromRow(row);
    },
  };
}

/** Straight into the cache's compact entry: text stays text (accountEntry.ts). */
function accountFromRow(row: AccountRow): AccountEntry {
  assert(integerText.test(row.balance), `balance ${row.balance} is not an integer`);
  return accountEntryOf({
    accountId: row.account_id,
    currency: row.currency,
    balanceText: row.balance,
    version: versionOf(row.version),
    opening: {
      overdraftLimitText: String(row.overdraft_limit),
      status: row.status,
      createdAtMs: row.created_at.getTime(),
      metadataJson: JSON.stringify(metadataOf(row.metadata)),
    },
  });
}

function historyItemFromRow(row: HistoryRow): HistoryItem {
  assert(
    row.direction === 'debit' || row.direction === 'credit',
    `unknown direction ${row.direction}`,
  );
  return {
    transferId: row.transfer_id,
    direction: row.direction,
    amount: BigInt(row.amount),
    balanceAfter: BigInt(row.balance_after),
    version: versionOf(row.version),
    counterpartyAccountId: row.counterparty_account_id,
    postedAt: row.posted_at.toISOString(),
  };
}

function transferFromRow(row: TransferRow): TransferView {
  assert(row.status === 'posted' || row.status === 'rejected', `unknown status ${row.status}`);
  return {
    transferId: row.transfer_id,
    status: row.status,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    code: row.code,
    postedAt: row.posted_at?.toISOString() ?? null,
  };
}

const integerText = /^-?[0-9]{1,40}$/;

function versionOf(text: string): number {
  const version = Number(text);
  assert(Number.isSafeInteger(version) && version >= 1, `version ${text} is not a safe integer`);
  return version;
}

/** jsonb comes back parsed; the projector writes string values only (schemas' metadata rules). */
function metadataOf(value: unknown): Readonly<Record<string, string>> {
  if (value === null || value === undefined) return {};
  assert(typeof value === 'object' && !Array.isArray(value), 'metadata is not an object');
  for (const inner of Object.values(value)) {
    assert(typeof inner === 'string', 'metadata values are strings');
  }
  return value as Readonly<Record<string, string>>;
}
