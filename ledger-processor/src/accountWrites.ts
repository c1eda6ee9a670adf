import { assert } from '@ledger/runtime';
import type pg from 'pg';
import type { AccountChange, AccountChangeRecord, AccountState } from './domain/index.ts';
import { isoTime } from './ledgerRows.ts';

/**
 * The `accounts` and `account_changes` writes of one batch's decision (ledgerStore.ts
 * `writeDecision`). An ordinary batch — openings, postings and holds — sends the statements it
 * sent before account changes existed, byte for byte: what only a change needs (status,
 * metadata, revision) goes in statements of its own, sent only when the batch has such rows.
 */

/**
 * Accounts this batch opened, in their state after it. One still as opened (revision 1, nothing
 * held) goes in the plain statement, its revision and held amount left to their defaults; one
 * that the batch also changed, or that holds something already, goes with those columns.
 */
export async function insertOpenedAccounts(
  client: pg.PoolClient,
  opened: readonly AccountState[],
): Promise<void> {
  const plain = opened.filter((a) => a.revision === 1 && a.held === 0n);
  if (plain.length > 0) {
    await client.query(
      `insert into accounts (id, currency, overdraft_limit, status, balance, version, metadata,
                             created_at, opened_by_command_id, open_request_hash)
       select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::numeric[],
                            $6::bigint[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[])`,
      [
        plain.map((a) => a.accountId),
        plain.map((a) => a.currency),
        plain.map((a) => a.overdraftLimit.toString()),
        plain.map((a) => a.status),
        plain.map((a) => a.balance.toString()),
        plain.map((a) => a.version),
        plain.map((a) => JSON.stringify(a.metadata)),
        plain.map((a) => isoTime(a.createdAtMs)),
        plain.map((a) => a.openedByCommandId),
        plain.map((a) => a.openRequestHash),
      ],
    );
  }
  if (plain.length === opened.length) return;
  const full = opened.filter((a) => !(a.revision === 1 && a.held === 0n));
  await client.query(
    `insert into accounts (id, currency, overdraft_limit, status, balance, version, metadata,
                           created_at, opened_by_command_id, open_request_hash, held, revision)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::numeric[],
                          $6::bigint[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[],
                          $11::numeric[], $12::bigint[])`,
    [
      full.map((a) => a.accountId),
      full.map((a) => a.currency),
      full.map((a) => a.overdraftLimit.toString()),
      full.map((a) => a.status),
      full.map((a) => a.balance.toString()),
      full.map((a) => a.version),
      full.map((a) => JSON.stringify(a.metadata)),
      full.map((a) => isoTime(a.createdAtMs)),
      full.map((a) => a.openedByCommandId),
      full.map((a) => a.openRequestHash),
      full.map((a) => a.held.toString()),
      full.map((a) => a.revision),
    ],
  );
}

/**
 * Existing accounts the batch moved or changed. Entries (a new version) update balance, held and
 * version under the version guard, as before account changes; changes (a new revision) update
 * status, metadata and revision under the revision guard, and the version the first statement
 * left, in a second statement only a batch with changes sends. Each asserts that every row
 * matched: a miss means the snapshot was not read under the row lock, and the transaction must
 * not commit. (Closing after the batch emptied the account passes accounts_closed_empty: the
 * balance is written first.)
 */
export async function updateChangedAccounts(
  client: pg.PoolClient,
  changed: readonly AccountChange[],
): Promise<void> {
  const entries = changed.filter((c) => c.version !== c.expectedVersion);
  if (entries.length > 0) {
    const result = await client.query(
      `update accounts a set balance = c.balance, held = c.held, version = c.version
         from unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[], $5::numeric[])
              as c(id, expected_version, version, balance, held)
        where a.id = c.id and a.version = c.expected_version`,
      [
        entries.map((c) => c.accountId),
        entries.map((c) => c.expectedVersion),
        entries.map((c) => c.version),
        entries.map((c) => c.balance.toString()),
        entries.map((c) => c.held.toString()),
      ],
    );
    assert(
      result.rowCount === entries.length,
      `account update matched ${result.rowCount} of ${entries.length} rows: snapshot not locked`,
    );
  }
  const settings = changed.filter((c) => c.revision !== c.expectedRevision);
  if (settings.length === 0) return;
  const result = await client.query(
    `update accounts a set status = c.status, metadata = c.metadata, revision = c.revision
       from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::jsonb[])
            as c(id, version, expected_revision, revision, status, metadata)
      where a.id = c.id and a.version = c.version and a.revision = c.expected_revision`,
    [
      settings.map((c) => c.accountId),
      settings.map((c) => c.version),
      settings.map((c) => c.expectedRevision),
      settings.map((c) => c.revision),
      settings.map((c) => c.status),
      settings.map((c) => JSON.stringify(c.metadata)),
    ],
  );
  assert(
    result.rowCount === settings.length,
    `account settings update matched ${result.rowCount} of ${settings.length} rows: snapshot not locked`,
  );
}

/** account_changes rows: after the accounts they name exist (a change of an account just opened). */
export async function insertAccountChanges(
  client: pg.PoolClient,
  rows: readonly AccountChangeRecord[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into account_changes (account_id, revision, version, command_id, idempotency_key,
                                  request_hash, change, status, metadata, changed_at)
     select * from unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                          $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::timestamptz[])`,
    [
      rows.map((c) => c.accountId),
      rows.map((c) => c.revision),
      rows.map((c) => c.version),
      rows.map((c) => c.commandId),
      rows.map((c) => c.idempotencyKey),
      rows.map((c) => c.requestHash),
      rows.map((c) => c.change),
      rows.map((c) => c.status),
      rows.map((c) => JSON.stringify(c.metadata)),
      rows.map((c) => isoTime(c.changedAtMs)),
    ],
  );
}
