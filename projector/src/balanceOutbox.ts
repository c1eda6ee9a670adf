import type pg from 'pg';
import type { BalanceChange } from './readModelProjection.ts';
import type { ReadModelTables } from './readModelTables.ts';

/**
 * The projector_unpublished_balances table (infra/migrations/0012): accounts whose newest
 * balance may not be on the balances topic yet. Rows are written in the batch's transaction and
 * removed once a publish at that version or newer succeeded; see balancePublisher.ts.
 */

/** In the batch's transaction; `changes` come sorted by account id (one lock order). */
export async function markUnpublished(
  client: pg.Pool | pg.PoolClient,
  changes: readonly BalanceChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await client.query(
    `insert into projector_unpublished_balances as u (account_id, version)
     select * from unnest($1::text[], $2::bigint[])
     on conflict (account_id) do update set version = excluded.version
     where u.version < excluded.version`,
    [changes.map((change) => change.accountId), changes.map((change) => change.version)],
  );
}

/**
 * In a rebuild's swap: accounts the rebuilt model shows newer than the live one (the rebuild read
 * past a lagging live projector, which will now skip those events) were never published; the
 * live projector's drain publishes them.
 */
export async function markRebuiltAhead(
  client: pg.PoolClient,
  live: ReadModelTables,
  fresh: ReadModelTables,
): Promise<number> {
  const result = await client.query(
    `insert into projector_unpublished_balances as u (account_id, version)
     select r.account_id, r.version from ${fresh.accountView} r
       left join ${live.accountView} l on l.account_id = r.account_id
      where l.account_id is null or l.version < r.version
      order by r.account_id
     on conflict (account_id) do update set version = excluded.version
     where u.version < excluded.version`,
  );
  return result.rowCount ?? 0;
}

/**
 * Forgets the rows the published changes cover. A row a newer batch raised meanwhile stays (its
 * version is above the published one), also when that batch commits while this statement waits:
 * the row is re-checked after the wait. Rows are locked in account order, as batches lock them,
 * so the two never deadlock.
 */
export async function clearPublished(
  pool: pg.Pool,
  published: readonly BalanceChange[],
): Promise<void> {
  if (published.length === 0) return;
  await pool.query(
    `with covered as (
       select u.account_id from projector_unpublished_balances u
         join unnest($1::text[], $2::bigint[]) as p (account_id, version)
           on u.account_id = p.account_id and u.version <= p.version
        order by u.account_id
          for update of u
     )
     delete from projector_unpublished_balances u using covered
      where u.account_id = covered.account_id`,
    [published.map((change) => change.accountId), published.map((change) => change.version)],
  );
}

/**
 * The current balance of up to `limit` accounts with an unpublished row. The current one, not the
 * one that was missed: the compacted topic only needs the newest, and consumers keep the highest
 * version they saw. A row whose account has no view row (impossible unless someone deleted it)
 * is returned apart so the caller removes it instead of retrying it forever.
 */
export async function loadUnpublished(
  pool: pg.Pool,
  limit: number,
): Promise<{ changes: BalanceChange[]; orphans: string[] }> {
  // Left join: the view's columns are null for an orphan.
  const result = await pool.query<
    Pick<BalanceRow, 'account_id'> & {
      [K in Exclude<keyof BalanceRow, 'account_id'>]: BalanceRow[K] | null;
    }
  >(
    `select u.account_id, v.currency, v.balance::text as balance, v.version, v.updated_at
       from projector_unpublished_balances u
       left join account_view v on v.account_id = u.account_id
      order by u.account_id limit $1`,
    [limit],
  );
  const changes: BalanceChange[] = [];
  const orphans: string[] = [];
  for (const row of result.rows) {
    const { account_id, currency, balance, version, updated_at } = row;
    if (currency === null || balance === null || version === null || updated_at === null) {
      orphans.push(account_id);
      continue;
    }
    changes.push(balanceFromRow({ account_id, currency, balance, version, updated_at }));
  }
  return { changes, orphans };
}

/** The accounts among `published` whose view has moved past the version published. */
export async function loadNewer(
  pool: pg.Pool,
  published: readonly BalanceChange[],
): Promise<BalanceChange[]> {
  if (published.length === 0) return [];
  const result = await pool.query<BalanceRow>(
    `select v.account_id, v.currency, v.balance::text as balance, v.version, v.updated_at
       from account_view v
       join unnest($1::text[], $2::bigint[]) as p (account_id, version)
         on v.account_id = p.account_id and v.version > p.version
      order by v.account_id`,
    [published.map((change) => change.accountId), published.map((change) => change.version)],
  );
  return result.rows.map(balanceFromRow);
}

/**
 * At most one drain round's accounts (balanceDrainAccountsMax), and in practice none: unlike the
 * processor's prefetch, `= any($1)` never gets an array large enough to plan as a scan.
 */
export async function removeOrphans(pool: pg.Pool, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await pool.query(`delete from projector_unpublished_balances where account_id = any($1)`, [
    accountIds,
  ]);
}

interface BalanceRow {
  readonly account_id: string;
  readonly currency: string;
  /** numeric as text: never through a JS number. */
  readonly balance: string;
  /** bigint as text (runtime's pg type parser). */
  readonly version: string;
  readonly updated_at: Date;
}

function balanceFromRow(row: BalanceRow): BalanceChange {
  return {
    accountId: row.account_id,
    currency: row.currency,
    balance: BigInt(row.balance),
    version: Number(row.version),
    updatedAtMs: row.updated_at.getTime(),
  };
}
