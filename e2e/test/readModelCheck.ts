import type pg from 'pg';
import { liveTables, type ReadModelTables } from '@ledger/projector/readModelTables';

/**
 * The read models restated from the ledger's own tables (accounts, postings, transfers): what the
 * projector must converge to once the event log is fully consumed. Every column, timestamps
 * included (the processor stamps an event's occurredAt on the rows it writes for it).
 */
const expectedAccountView = `
  select a.id as account_id, a.currency, a.overdraft_limit, a.status, a.balance, a.version,
         a.metadata, a.created_at, a.held, a.revision,
         coalesce((select p.posted_at from postings p where p.account_id = a.id and p.version = a.version),
                  a.created_at) as updated_at
    from accounts a`;
const expectedHistory = `
  select p.account_id, p.version, p.transfer_id,
         case when p.amount < 0 then 'debit' else 'credit' end as direction,
         abs(p.amount) as amount, p.balance_after,
         case when p.amount < 0 then t.to_account_id else t.from_account_id end as counterparty_account_id,
         p.posted_at
    from postings p join transfers t on t.transfer_id = p.transfer_id`;
const expectedTransfers = `
  select transfer_id, status, from_account_id, to_account_id, amount, currency, code,
         case when status = 'posted' then decided_at end as posted_at, decided_at
    from transfers`;

const accountColumns =
  'account_id, currency, overdraft_limit, status, balance, version, metadata, created_at, updated_at, held, revision';
const historyColumns =
  'account_id, version, transfer_id, direction, amount, balance_after, counterparty_account_id, posted_at';
const transferColumns =
  'transfer_id, status, from_account_id, to_account_id, amount, currency, code, posted_at, decided_at';

/** Differences between the read models and the ledger, as readable lines (empty: equal). */
export async function readModelMismatches(
  pool: pg.Pool,
  tables: ReadModelTables = liveTables,
): Promise<string[]> {
  const checks: [string, string, string][] = [
    [tables.accountView, accountColumns, expectedAccountView],
    [tables.accountHistory, historyColumns, expectedHistory],
    [tables.transferView, transferColumns, expectedTransfers],
  ];
  const found: string[] = [];
  for (const [table, columns, expected] of checks) {
    const missing = await pool.query(
      `select ${columns} from (${expected}) e except select ${columns} from ${table} limit 3`,
    );
    const extra = await pool.query(
      `select ${columns} from ${table} except select ${columns} from (${expected}) e limit 3`,
    );
    if (missing.rowCount !== 0) found.push(`${table} lacks ${JSON.stringify(missing.rows)}`);
    if (extra.rowCount !== 0) found.push(`${table} has extra ${JSON.stringify(extra.rows)}`);
  }
  return found;
}

/** Every row of a set of read-model tables, in key order, for a row-by-row comparison. */
export async function readModelRows(pool: pg.Pool, tables: ReadModelTables) {
  const rows = async (sql: string) => (await pool.query<Record<string, unknown>>(sql)).rows;
  return {
    accounts: await rows(`select ${accountColumns} from ${tables.accountView} order by account_id`),
    history: await rows(
      `select ${historyColumns} from ${tables.accountHistory} order by account_id, version`,
    ),
    transfers: await rows(
      `select ${transferColumns} from ${tables.transferView} order by transfer_id`,
    ),
  };
}
