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
  /** The balance after `version` (1: the opening, 0), from the ledger's postings. */
  loadBalanceAtVersion(accountId: string, version: number): Promise<BalanceAtVersion>;
  /** The balance after the last posting at or before `atMs` (epoch ms), from the postings. */
  loadBalanceAtTime(accountId: string, atMs: number): Promise<BalanceAtTime>;
  /** One keyset page of accounts in id order (byte order), from the ledger of record. */
  listAccounts(query: AccountListQuery): Promise<AccountListPage>;
}

/** The values the accounts table's CHECK allows (infra/migrations/0001_accounts.ts). */
export const accountStatuses = ['open', 'frozen', 'closed'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/**
 * The most `accounts` rows one listing request reads, matching or not. Without filters a page
 * reads limit + 2 rows; with a rare status or currency the scan would otherwise run to the end of
 * the table. At the cap the page so far is returned with a cursor at the last row scanned, and the
 * client continues from there. 5,000 rows of the primary key cost about 2 ms (query-api/README.md).
 */
export const accountListScanMax = 5_000;

export interface AccountListQuery {
  /** Ids strictly after this one ('' from the start). */
  readonly afterId: string;
  /** Ids at or after this one: a tenant's prefix ('' for any). */
  readonly fromId: string;
  /** Ids strictly before this one: the end of a tenant's prefix range. */
  readonly beforeId: string;
  readonly status: AccountStatus | undefined;
  readonly currency: string | undefined;
  /** 1..historyRowsMax - 2 */
  readonly limit: number;
}

export interface AccountListPage {
  readonly accounts: ListedAccount[];
  /** Where the next page starts (exclusive), undefined when the range is exhausted. */
  readonly nextAfterId: string | undefined;
}

/** An `accounts` row as the listing serves it: money as decimal text. */
export interface ListedAccount {
  readonly accountId: string;
  readonly currency: string;
  readonly balanceText: string;
  /** balance − held, as text. */
  readonly availableText: string;
  readonly version: number;
  /** The revision status and metadata are at. */
  readonly revision: number;
  readonly status: string;
  readonly overdraftLimitText: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** An account's balance as it was after one of its versions. */
export interface PastBalance {
  readonly accountId: string;
  readonly currency: string;
  /** Decimal text, as the cache keeps balances. */
  readonly balanceText: string;
  /** balance − held after `version` (postings' `balance_after − held_after`), as text. */
  readonly availableText: string;
  readonly version: number;
}

export type BalanceAtVersion =
  | { readonly kind: 'found'; readonly balance: PastBalance }
  | { readonly kind: 'unknown_account' }
  /** The account has not reached the version in what this read saw. */
  | { readonly kind: 'ahead'; readonly currentVersion: number };

export type BalanceAtTime =
  | { readonly kind: 'found'; readonly balance: PastBalance }
  | { readonly kind: 'unknown_account' }
  | { readonly kind: 'before_opening'; readonly openedAt: string };

/**
 * What an entry on an account did (`account_history.kind`, infra/migrations 0017): `posted`
 * moved money; `pending` held `amount` (a debit, the balance unchanged, the available balance
 * down); `voided` / `expired` released a hold (the balance unchanged, the available balance up).
 */
export const entryKinds = ['posted', 'pending', 'voided', 'expired'] as const;
export type EntryKind = (typeof entryKinds)[number];

export interface HistoryItem {
  readonly transferId: string;
  readonly kind: EntryKind;
  readonly direction: 'debit' | 'credit';
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  /** balance − held after the entry. */
  readonly availableAfter: bigint;
  readonly version: number;
  readonly counterpartyAccountId: string;
  /** ISO 8601, UTC. */
  readonly postedAt: string;
}

/**
 * Where a transfer stands (`transfer_view.status`): decided `posted` or `rejected`; a pending
 * transfer is `pending` (held), then `posted` (all or part of it moved), `voided` or `expired`.
 */
export const transferStatuses = ['posted', 'rejected', 'pending', 'voided', 'expired'] as const;
export type TransferStatus = (typeof transferStatuses)[number];

export interface TransferView {
  readonly transferId: string;
  readonly status: TransferStatus;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly code: string | null;
  readonly postedAt: string | null;
  /** The transfer this one reverses; absent on an ordinary transfer. */
  readonly reversalOf?: string;
  /**
   * A pending transfer's amount (what was held); absent on an ordinary transfer. Once posted,
   * `amount` is what was posted (at most this).
   */
  readonly pendingAmount?: bigint;
  /** ISO 8601, UTC: when a pending transfer expires (if still pending); absent without one. */
  readonly expiresAt?: string;
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
  name: 'query_api_account_v4',
  text: `select id as account_id, currency, overdraft_limit, status, balance::text as balance,
                (balance - held)::text as available, version, revision, metadata, created_at
           from accounts where id = $1`,
};
const historyStatement = {
  name: 'query_api_history_v2',
  text: `select transfer_id, kind, direction, amount, balance_after::text as balance_after,
                (balance_after - held_after)::text as available_after, version,
                counterparty_account_id, posted_at
           from account_history
          where account_id = $1 and version < $2
          order by version desc
          limit $3`,
};
const transferStatement = {
  name: 'query_api_transfer_v3',
  text: `select transfer_id, status, from_account_id, to_account_id, amount, currency, code,
                posted_at, reversal_of, pending_amount, expires_at
           from transfer_view where transfer_id = $1`,
};

/**
 * A listing page: a range scan of the primary key (`id > $1 and id >= $2 and id < $3`, the
 * tighter lower bound used, both bounds index conditions), at most `$6` rows (the scan cap), each
 * numbered and marked whether it passes the filters; out come the matching rows and the cap-th
 * row (the last one scanned, where the next page starts when the cap cut the scan short), at most
 * `$7` rows (limit + 2: the page, one look-ahead match, the cap row). Everything streams, so a
 * page that fills early stops reading early. One generic plan for every filter combination: the
 * filters are never index conditions (see the README for the plan and why there is no index).
 */
const accountListStatement = {
  name: 'query_api_account_list_v2',
  text: `select account_id, currency, overdraft_limit, status, balance, available, version,
                revision, metadata, created_at, scanned, matches
           from (select id as account_id, currency, overdraft_limit, status,
                        balance::text as balance, (balance - held)::text as available, version,
                        revision, metadata, created_at,
                        row_number() over (order by id) as scanned,
                        ($4::text is null or status = $4::text)
                          and ($5::text is null or currency = $5::bpchar) as matches
                   from (select * from accounts
                          where id > $1 and id >= $2 and id < $3
                          order by id
                          limit $6::int) scan
                ) numbered
          where matches or scanned = $6::int
          order by account_id
          limit $7::int`,
};

/**
 * As of a version: one probe of the postings' primary key (account_id, version), joined to the
 * account's row read in the same statement, so "not reached yet" and "found" are decided against
 * one snapshot. The processor commits both before it publishes anything. The available balance
 * comes from the same posting (`held_after`: 0 on postings written before holds existed).
 */
const balanceAtVersionStatement = {
  name: 'query_api_balance_at_version_v2',
  text: `select a.currency, a.version as current_version, p.balance_after::text as balance_after,
                (p.balance_after - p.held_after)::text as available_after
           from accounts a
           left join postings p on p.account_id = a.id and p.version = $2::bigint
          where a.id = $1`,
};
/**
 * As of an instant: a binary search over the account's versions, each step one probe of the
 * postings' primary key, about log2(version) probes (18 for 200,000 postings, ~0.1 ms), and no
 * index beyond the ones the write path keeps anyway. An index on (account_id, posted_at) would
 * make it one probe but costs every transfer: measured on 1000-transfer batches (2000 postings)
 * against a 1M-row table, medians of 72 in two runs, 36 ms without it, 44 and 48 ms with it. A
 * plain backward scan of the primary key filtered on posted_at needs no index either, but reads
 * every posting after the instant (27 ms for 100,000), unbounded for a busy account asked about
 * last year.
 *
 * The search relies on posted_at rising with the version, which holds on one clock: the processor
 * reads the time after it has locked the account rows, so a later version's time is read after
 * the earlier one committed. It finds the version whose posting is at or before the instant while
 * the next one is after it (the current version when none is after); versions that share a
 * batch's time all fall on the same side. `lo` starts at the opening (version 1, balance 0) when
 * the account was opened at or before the instant; no row then means it was not. The instant
 * comes as epoch milliseconds (exact for any year, unlike ISO text, which Postgres does not take
 * before year 1, or a float of seconds).
 */
const balanceAtTimeStatement = {
  name: 'query_api_balance_at_time_v2',
  text: `with recursive instant (at) as (
             select timestamptz 'epoch' + $2::bigint * interval '1 millisecond'
           ),
           search (lo, hi) as (
             select 1::bigint, a.version
               from accounts a, instant i
              where a.id = $1 and a.created_at <= i.at
           union all
             select case when p.posted_at <= i.at then p.version else s.lo end,
                    case when p.posted_at <= i.at then s.hi else p.version - 1 end
               from search s
               cross join instant i
               join postings p on p.account_id = $1 and p.version = (s.lo + s.hi + 1) / 2
              where s.lo < s.hi
         )
         select a.currency, a.created_at, s.lo as version,
                case when s.lo = 1 then '0' else p.balance_after::text end as balance_after,
                case when s.lo = 1 then '0'
                     else (p.balance_after - p.held_after)::text end as available_after
           from accounts a
           left join search s on s.lo = s.hi
           left join postings p on p.account_id = a.id and p.version = s.lo
          where a.id = $1`,
};

/**
 * An `accounts` row with its available balance: the opening columns are set when the account is
 * opened, never null; status and metadata as the account's latest change (its revision) left them.
 */
interface AccountRow {
  account_id: string;
  currency: string;
  overdraft_limit: string;
  status: string;
  balance: string;
  available: string;
  version: string;
  revision: string;
  metadata: unknown;
  created_at: Date;
}

interface AccountListRow extends AccountRow {
  scanned: string;
  matches: boolean;
}

interface HistoryRow {
  transfer_id: string;
  kind: string;
  direction: string;
  amount: string;
  balance_after: string;
  available_after: string;
  version: string;
  counterparty_account_id: string;
  posted_at: Date;
}

interface BalanceAtVersionRow {
  currency: string;
  current_version: string;
  balance_after: string | null;
  available_after: string | null;
}

interface BalanceAtTimeRow {
  currency: string;
  created_at: Date;
  version: string | null;
  balance_after: string | null;
  available_after: string | null;
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
  reversal_of: string | null;
  pending_amount: string | null;
  expires_at: Date | null;
}

export function createReadModels(pool: pg.Pool): ReadModels {
  return {
    async loadAccount(accountId) {
      const { rows } = await pool.query<AccountRow>({
        ...accountStatement,
        values: [accountId],
      });
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

    async loadBalanceAtVersion(accountId, version) {
      const { rows } = await pool.query<BalanceAtVersionRow>({
        ...balanceAtVersionStatement,
        values: [accountId, String(version)],
      });
      const row = rows[0];
      if (row === undefined) return { kind: 'unknown_account' };
      const currentVersion = versionOf(row.current_version);
      if (version > currentVersion) return { kind: 'ahead', currentVersion };
      const balanceText = version === 1 ? '0' : row.balance_after;
      const availableText = version === 1 ? '0' : row.available_after;
      // Versions 2..current are the primary key's rows of one snapshot: a gap is a broken ledger.
      assert(
        balanceText !== null && availableText !== null,
        `account ${accountId} has no posting at version ${version}`,
      );
      return {
        kind: 'found',
        balance: pastBalanceOf(accountId, row.currency, balanceText, availableText, version),
      };
    },

    async loadBalanceAtTime(accountId, atMs) {
      const { rows } = await pool.query<BalanceAtTimeRow>({
        ...balanceAtTimeStatement,
        values: [accountId, String(atMs)],
      });
      const row = rows[0];
      if (row === undefined) return { kind: 'unknown_account' };
      if (row.created_at.getTime() > atMs) {
        return { kind: 'before_opening', openedAt: row.created_at.toISOString() };
      }
      // A search that ended without lo = hi probed a version the postings lack: a broken ledger.
      assert(
        row.version !== null && row.balance_after !== null && row.available_after !== null,
        `the as-of search of ${accountId} found no posting`,
      );
      const version = versionOf(row.version);
      return {
        kind: 'found',
        balance: pastBalanceOf(
          accountId,
          row.currency,
          row.balance_after,
          row.available_after,
          version,
        ),
      };
    },

    async listAccounts(query) {
      const { limit } = query;
      assert(limit >= 1 && limit + 2 <= historyRowsMax, `listing limit ${limit} out of range`);
      const { rows } = await pool.query<AccountListRow>({
        ...accountListStatement,
        values: [
          query.afterId,
          query.fromId,
          query.beforeId,
          query.status ?? null,
          query.currency ?? null,
          accountListScanMax,
          limit + 2,
        ],
      });
      const matching = rows.filter((row) => row.matches);
      const page = matching.slice(0, limit).map(listedAccountOf);
      if (matching.length > limit) {
        return { accounts: page, nextAfterId: page.at(-1)?.accountId };
      }
      // Fewer matches than a page: the range ended, or the cap cut the scan at its last row.
      const capRow = rows.find((row) => Number(row.scanned) === accountListScanMax);
      return { accounts: page, nextAfterId: capRow?.account_id };
    },
  };
}

function listedAccountOf(row: AccountRow): ListedAccount {
  assert(integerText.test(row.balance), `balance ${row.balance} is not an integer`);
  assert(integerText.test(row.available), `available ${row.available} is not an integer`);
  return {
    accountId: row.account_id,
    currency: row.currency,
    balanceText: row.balance,
    availableText: row.available,
    version: versionOf(row.version),
    revision: versionOf(row.revision, 'revision'),
    status: row.status,
    overdraftLimitText: String(row.overdraft_limit),
    createdAt: row.created_at.toISOString(),
    metadata: metadataOf(row.metadata),
  };
}

function pastBalanceOf(
  accountId: string,
  currency: string,
  balanceText: string,
  availableText: string,
  version: number,
): PastBalance {
  assert(integerText.test(balanceText), `balance ${balanceText} is not an integer`);
  assert(integerText.test(availableText), `available ${availableText} is not an integer`);
  return { accountId, currency, balanceText, availableText, version };
}

/** Straight into the cache's compact entry: text stays text (accountEntry.ts). */
function accountFromRow(row: AccountRow): AccountEntry {
  assert(integerText.test(row.balance), `balance ${row.balance} is not an integer`);
  assert(integerText.test(row.available), `available ${row.available} is not an integer`);
  return accountEntryOf({
    accountId: row.account_id,
    currency: row.currency,
    balanceText: row.balance,
    availableText: row.available,
    version: versionOf(row.version),
    revision: versionOf(row.revision, 'revision'),
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
  assert(isOneOf(entryKinds, row.kind), `unknown entry kind ${row.kind}`);
  return {
    transferId: row.transfer_id,
    kind: row.kind,
    direction: row.direction,
    amount: BigInt(row.amount),
    balanceAfter: BigInt(row.balance_after),
    availableAfter: BigInt(row.available_after),
    version: versionOf(row.version),
    counterpartyAccountId: row.counterparty_account_id,
    postedAt: row.posted_at.toISOString(),
  };
}

function transferFromRow(row: TransferRow): TransferView {
  assert(isOneOf(transferStatuses, row.status), `unknown status ${row.status}`);
  return {
    transferId: row.transfer_id,
    status: row.status,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    code: row.code,
    postedAt: row.posted_at?.toISOString() ?? null,
    ...(row.reversal_of === null ? {} : { reversalOf: row.reversal_of }),
    ...(row.pending_amount === null ? {} : { pendingAmount: BigInt(row.pending_amount) }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at.toISOString() }),
  };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

const integerText = /^-?[0-9]{1,40}$/;

/** A version or a revision (bigint columns, 1 or more) as the safe integer it always is. */
function versionOf(text: string, what: 'version' | 'revision' = 'version'): number {
  const version = Number(text);
  assert(Number.isSafeInteger(version) && version >= 1, `${what} ${text} is not a safe integer`);
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
