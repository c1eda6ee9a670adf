import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';
import { readStackConfig } from '@ledger/runtime';
import { migrations } from '../migrations/index.ts';

/**
 * Helpers of ledgerSchema.int.test.ts: the database, an in-test migration runner, typed raw
 * queries, SQLSTATE assertions and row builders shaped like what the processor will write.
 */
export const config = readStackConfig();

/** Creates the database of `postgresUrl` unless it exists (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(): Promise<void> {
  const database = new URL(config.postgresUrl).pathname.slice(1);
  const admin = knexFactory({
    client: 'pg',
    connection: config.postgresAdminUrl,
    pool: { min: 0, max: 1 },
  });
  try {
    const found = await rowsOf(admin, 'select 1 from pg_database where datname = ?', [database]);
    if (found.length > 0) return;
    // 42P04: another test created it between our check and our create.
    await admin.raw('create database ??', [database]).catch((error: unknown) => {
      if (sqlState(error).code !== '42P04') throw error;
    });
  } finally {
    await admin.destroy();
  }
}

/** A tiny runner, independent of the migrator: every `up` in order, in one transaction. */
export const migrateUp = (db: Knex) =>
  db.transaction(async (trx) => {
    for (const migration of migrations) await migration.up(trx);
  });
export const migrateDown = (db: Knex) =>
  db.transaction(async (trx) => {
    for (const migration of [...migrations].reverse()) await migration.down(trx);
  });

/** knex.raw answers `any`; the rows of a pg result, typed by the caller. */
export async function rowsOf<Row>(
  db: Knex,
  sql: string,
  bindings: readonly Knex.RawBinding[] = [],
) {
  const result = await db.raw<{ rows: Row[] }>(sql, bindings);
  return result.rows;
}

export function sqlState(error: unknown): { code?: string; constraint?: string } {
  return typeof error === 'object' && error !== null ? error : {};
}

/** Asserts the promise fails with this SQLSTATE (and constraint, when given). */
export async function refused(
  work: Promise<unknown>,
  code: string,
  constraint?: string,
): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.equal(sqlState(error).code, code, String(error));
    if (constraint !== undefined)
      assert.equal(sqlState(error).constraint, constraint, String(error));
    return true;
  });
}

let sequence = 0;
export const unique = (prefix: string) => `${prefix}-${++sequence}`;

export function accountRow(
  id: string,
  fields: { balance?: bigint; overdraftLimit?: bigint; version?: number } = {},
) {
  return {
    id,
    currency: 'USD',
    overdraft_limit: String(fields.overdraftLimit ?? 0n),
    balance: String(fields.balance ?? 0n),
    version: fields.version ?? 1,
    created_at: new Date(),
    opened_by_command_id: unique('open'),
    open_request_hash: 'a'.repeat(64),
  };
}

export function transferRow(
  id: string,
  from: string,
  to: string,
  amount: bigint,
  status = 'posted',
  code?: string,
) {
  return {
    transfer_id: id,
    idempotency_key: id,
    request_hash: 'b'.repeat(64),
    command_id: unique('cmd'),
    from_account_id: from,
    to_account_id: to,
    amount: String(amount),
    currency: 'USD',
    status,
    code: code ?? null,
    decided_at: new Date(),
  };
}

export function postingRow(
  transferId: string,
  accountId: string,
  amount: bigint,
  version: number,
  balanceAfter: bigint,
) {
  return {
    transfer_id: transferId,
    account_id: accountId,
    amount: String(amount),
    version,
    balance_after: String(balanceAfter),
    posted_at: new Date(),
  };
}
