import type { Metadata } from '@ledger/schemas';
import type pg from 'pg';
import {
  compareKeys,
  type AccountViewRow,
  type ReadModelChanges,
  type TransferViewRow,
} from './readModelRows.ts';
import type { ReadModelTables } from './readModelTables.ts';

/**
 * Writes one batch's rows with one multi-row statement per table (arrays unnested server-side),
 * inside the caller's transaction.
 *
 * Rows arrive sorted by key (readModelProjection.ts), so two batches of different partitions that
 * touch the same accounts lock them in the same order and cannot deadlock on them.
 */
export async function writeReadModels(
  client: pg.PoolClient,
  tables: ReadModelTables,
  changes: ReadModelChanges,
): Promise<void> {
  await upsertAccounts(client, tables.accountView, changes);
  await insertHistory(client, tables.accountHistory, changes);
  await insertTransfers(client, tables.transferView, changes);
}

/**
 * Two guards, one per kind of fact, in one statement over one key-sorted set of rows:
 * - The version guard: the balance columns change only if the incoming version is newer
 *   (`v.version < excluded.version`), so a late or repeated event never moves an account back.
 *   The opening's own columns (overdraft_limit, created_at) fill in a missing opening (a credit
 *   projected before the AccountOpened from the account's own partition) and never change after.
 * - The revision guard: status, metadata and revision change only if the incoming row carries
 *   settings (status not null) at a higher revision, or the row has none yet. The opening carries
 *   revision 1, an AccountChanged 2 or more; a redelivered older change writes nothing.
 * A change to an account whose opening is not in the batch is an UPDATE of its own under the
 * same revision guard: an insert's NOT NULL and CHECKs are evaluated before ON CONFLICT is, and
 * its status without the opening's columns breaks account_view_opening_all_or_none (without an
 * entry, NOT NULL too). Its row exists: its AccountOpened precedes it in the account's own
 * partition. A batch with such changes first locks every row it writes in key order, so the two
 * statements keep the one lock order.
 */
async function upsertAccounts(
  client: pg.PoolClient,
  table: string,
  changes: ReadModelChanges,
): Promise<void> {
  const all = accountUpserts(changes);
  const settingsUpdates = all.filter(
    (upsert) => upsert.settings.status !== null && !upsert.row?.opening,
  );
  if (settingsUpdates.length > 0) {
    await client.query(
      `select 1 from ${table} where account_id = any($1::text[]) order by account_id for update`,
      [all.map(({ accountId }) => accountId)],
    );
  }
  const rows = all
    .filter((upsert) => upsert.row !== undefined)
    .map((upsert) => (!upsert.row?.opening ? { ...upsert, settings: noSettings } : upsert));
  await upsertRows(client, table, rows);
  if (settingsUpdates.length > 0) await updateSettings(client, table, settingsUpdates);
}

/** The upsert of the batch's entry rows (and openings, with their settings): both guards. */
async function upsertRows(
  client: pg.PoolClient,
  table: string,
  rows: readonly AccountUpsert[],
): Promise<void> {
  if (rows.length === 0) return;
  const newerSettings = `(excluded.status is not null
                          and (v.status is null or v.revision < excluded.revision))`;
  await client.query(
    `insert into ${table} as v (account_id, currency, overdraft_limit, status, balance, version,
                                metadata, created_at, updated_at, held, revision)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::numeric[],
                          $6::bigint[], $7::jsonb[], $8::timestamptz[], $9::timestamptz[],
                          $10::numeric[], $11::bigint[])
     on conflict (account_id) do update set
       currency = case when v.version < excluded.version then excluded.currency else v.currency end,
       balance = case when v.version < excluded.version then excluded.balance else v.balance end,
       held = case when v.version < excluded.version then excluded.held else v.held end,
       updated_at = case when v.version < excluded.version then excluded.updated_at
                         else v.updated_at end,
       version = greatest(v.version, excluded.version),
       overdraft_limit = coalesce(v.overdraft_limit, excluded.overdraft_limit),
       created_at = coalesce(v.created_at, excluded.created_at),
       status = case when ${newerSettings} then excluded.status else v.status end,
       metadata = case when ${newerSettings} then excluded.metadata else v.metadata end,
       revision = case when ${newerSettings} then excluded.revision else v.revision end
     where v.version < excluded.version
        or (v.created_at is null and excluded.created_at is not null)
        or ${newerSettings}`,
    [
      rows.map(({ accountId }) => accountId),
      rows.map(({ row }) => row?.currency ?? null),
      rows.map(({ row }) => row?.opening?.overdraftLimit.toString() ?? null),
      rows.map(({ settings }) => settings.status),
      rows.map(({ row }) => row?.balance.toString() ?? null),
      rows.map(({ row }) => row?.version ?? null),
      rows.map(({ settings }) =>
        settings.metadata === null ? null : JSON.stringify(settings.metadata),
      ),
      rows.map(({ row }) => (row?.opening ? isoTime(row.opening.createdAtMs) : null)),
      rows.map(({ row }) => (row === undefined ? null : isoTime(row.updatedAtMs))),
      rows.map(({ row }) => row?.held.toString() ?? null),
      rows.map(({ settings }) => settings.revision),
    ],
  );
}

/** Status, metadata and revision of accounts the batch did not otherwise touch. */
async function updateSettings(
  client: pg.PoolClient,
  table: string,
  rows: readonly AccountUpsert[],
): Promise<void> {
  await client.query(
    `update ${table} as v set status = c.status, metadata = c.metadata, revision = c.revision
       from unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[])
            as c(account_id, status, metadata, revision)
      where v.account_id = c.account_id and (v.status is null or v.revision < c.revision)`,
    [
      rows.map(({ accountId }) => accountId),
      rows.map(({ settings }) => settings.status),
      rows.map(({ settings }) =>
        settings.metadata === null ? null : JSON.stringify(settings.metadata),
      ),
      rows.map(({ settings }) => settings.revision),
    ],
  );
}

const noSettings = { status: null, metadata: null, revision: 1 } as const;

/** One account's upsert: its entry state and opening, and the newest settings it knows. */
interface AccountUpsert {
  readonly accountId: string;
  readonly row: AccountViewRow | undefined;
  /** status null: none in the batch (revision then 1, which the guard ignores). */
  readonly settings: {
    readonly status: string | null;
    readonly metadata: Metadata | null;
    readonly revision: number;
  };
}

/**
 * The batch's account rows and settings rows joined by account, in key order (both lists are
 * sorted): a change outranks the opening's settings (revision 1) in the same batch.
 */
export function accountUpserts(changes: ReadModelChanges): AccountUpsert[] {
  const settingsById = new Map(changes.settings.map((row) => [row.accountId, row]));
  const rowsById = new Map(changes.accounts.map((row) => [row.accountId, row]));
  const ids = [...new Set([...rowsById.keys(), ...settingsById.keys()])].sort(compareKeys);
  return ids.map((accountId) => {
    const row = rowsById.get(accountId);
    const opening = row?.opening;
    const settings =
      settingsById.get(accountId) ??
      (opening ? { status: opening.status, metadata: opening.metadata, revision: 1 } : noSettings);
    return { accountId, row, settings };
  });
}

async function insertHistory(
  client: pg.PoolClient,
  table: string,
  changes: ReadModelChanges,
): Promise<void> {
  const rows = changes.history;
  if (rows.length === 0) return;
  await client.query(
    `insert into ${table} (account_id, version, transfer_id, direction, amount, balance_after,
                           counterparty_account_id, posted_at, kind, held_after)
     select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
                          $6::numeric[], $7::text[], $8::timestamptz[], $9::text[], $10::numeric[])
     on conflict (account_id, version) do nothing`,
    [
      rows.map((row) => row.accountId),
      rows.map((row) => row.version),
      rows.map((row) => row.transferId),
      rows.map((row) => row.direction),
      rows.map((row) => row.amount.toString()),
      rows.map((row) => row.balanceAfter.toString()),
      rows.map((row) => row.counterpartyAccountId),
      rows.map((row) => isoTime(row.postedAtMs)),
      rows.map((row) => row.kind),
      rows.map((row) => row.heldAfter.toString()),
    ],
  );
}

/**
 * Decisions are inserted once (`on conflict do nothing`: the first decision is final). A pending
 * transfer's settlement updates its row, once: only a row still `pending` changes, so a late copy
 * of the pending event or of the settlement leaves the settled row as it is.
 */
async function insertTransfers(
  client: pg.PoolClient,
  table: string,
  changes: ReadModelChanges,
): Promise<void> {
  const decided = changes.transfers.filter((row) => row.settles !== true);
  const settled = changes.transfers.filter((row) => row.settles === true);
  const statement = (onConflict: string) =>
    `insert into ${table} as v (transfer_id, status, from_account_id, to_account_id, amount,
                                currency, code, posted_at, decided_at, reversal_of, pending_amount,
                                expires_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                          $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[],
                          $10::text[], $11::bigint[], $12::timestamptz[])
     ${onConflict}`;
  if (decided.length > 0) {
    await client.query(statement('on conflict (transfer_id) do nothing'), transferColumns(decided));
  }
  if (settled.length > 0) {
    await client.query(
      statement(`on conflict (transfer_id) do update set
                   status = excluded.status, amount = excluded.amount, posted_at = excluded.posted_at
                 where v.status = 'pending'`),
      transferColumns(settled),
    );
  }
}

function transferColumns(rows: readonly TransferViewRow[]): unknown[] {
  return [
    rows.map((row) => row.transferId),
    rows.map((row) => row.status),
    rows.map((row) => row.fromAccountId),
    rows.map((row) => row.toAccountId),
    rows.map((row) => row.amount.toString()),
    rows.map((row) => row.currency),
    rows.map((row) => row.code),
    rows.map((row) => (row.postedAtMs === null ? null : isoTime(row.postedAtMs))),
    rows.map((row) => isoTime(row.decidedAtMs)),
    rows.map((row) => row.reversalOf ?? null),
    rows.map((row) => row.pendingAmount?.toString() ?? null),
    rows.map((row) => (row.expiresAtMs === undefined ? null : isoTime(row.expiresAtMs))),
  ];
}

function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
