import { assert } from '@ledger/runtime';
import type pg from 'pg';
import { tableKinds, type ReadModelTables } from '../readModelTables.ts';

/**
 * Fresh read-model tables beside the live ones, and the swap that puts them in place.
 *
 * The fresh tables are created `like <live> including all`, so they have exactly the live
 * columns, defaults, CHECKs and indexes whatever later migrations add — the rebuild never carries
 * its own copy of the DDL. Postgres names the copied indexes after the new table, so the swap
 * renames each one back to the name of the live index with the same definition: after a swap the
 * schema looks exactly as the migrations left it. (Privileges are not copied by LIKE: this stack
 * connects as the tables' owner. A deployment with a separate reader role must re-grant after a
 * swap — see README.)
 */

/** Drops leftovers of an earlier rebuild and creates empty tables shaped like the live ones. */
export async function createFreshTables(
  client: pg.PoolClient,
  live: ReadModelTables,
  fresh: ReadModelTables,
): Promise<void> {
  for (const kind of tableKinds) {
    await client.query(`drop table if exists ${fresh[kind]}`);
    await client.query(`create table ${fresh[kind]} (like ${live[kind]} including all)`);
  }
}

/**
 * Inside the caller's transaction (which holds the rebuild gate): drops each live table and
 * renames the fresh one to its name. DROP and RENAME take ACCESS EXCLUSIVE locks, so a reader's
 * query waits for the commit and then reads the new table (Postgres looks the name up again after
 * the wait); no reader ever sees a missing, empty or half-built table.
 */
export async function swapTables(
  client: pg.PoolClient,
  live: ReadModelTables,
  fresh: ReadModelTables,
): Promise<void> {
  for (const kind of tableKinds) {
    const liveIndexes = await indexesOf(client, live[kind]);
    await client.query(`drop table ${live[kind]}`);
    await client.query(`alter table ${fresh[kind]} rename to ${live[kind]}`);
    const freshIndexes = await indexesOf(client, live[kind]);
    assert(
      freshIndexes.length === liveIndexes.length,
      `${fresh[kind]} has ${freshIndexes.length} indexes, ${live[kind]} had ${liveIndexes.length}`,
    );
    for (const index of freshIndexes) {
      const original = liveIndexes.find((candidate) => candidate.shape === index.shape);
      assert(original !== undefined, `no live index of ${live[kind]} matches ${index.name}`);
      // Renaming an index also renames the constraint it backs (the primary key).
      if (original.name !== index.name) {
        await client.query(
          `alter index ${quoteIdent(index.name)} rename to ${quoteIdent(original.name)}`,
        );
      }
    }
  }
}

interface IndexShape {
  readonly name: string;
  /** The definition without the index's and the table's names. */
  readonly shape: string;
}

async function indexesOf(client: pg.PoolClient, table: string): Promise<IndexShape[]> {
  const result = await client.query<{ name: string; definition: string }>(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = $1::regclass
      order by c.relname`,
    [table],
  );
  return result.rows.map((row) => {
    const match = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .+)$/.exec(row.definition);
    assert(match !== null, `unexpected index definition: ${row.definition}`);
    return { name: row.name, shape: `${match[1] ?? ''}${match[2] ?? ''}` };
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Before the swap, inside it: the rebuilt model must show every account at least as far as the
 * live one (it consumed at least the live projector's offsets), or the swap would move readers
 * back in time. Returns the number of accounts that break this (0 to proceed).
 */
export async function accountsBehindLive(
  client: pg.PoolClient,
  live: ReadModelTables,
  fresh: ReadModelTables,
): Promise<number> {
  const result = await client.query<{ behind: string }>(
    `select count(*) as behind from ${live.accountView} l
       left join ${fresh.accountView} r on r.account_id = l.account_id
      where r.account_id is null or r.version < l.version`,
  );
  return Number(result.rows[0]?.behind ?? 0);
}
