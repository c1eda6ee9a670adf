import { dropSchema, migrateLatest } from '@ledger/infra';
import type pg from 'pg';
import { fundingAmount, type AccountSet } from '../load/workload.ts';

/**
 * The naive baseline's own schema: dropped and migrated afresh each run with the ledger's own
 * migrations (same tables, constraints and triggers), then seeded with the same account set the
 * ledger serves, funded by real transfers and postings so its conservation audit holds too.
 */
export const naiveSchema = 'bench_naive';
/** Funding account overdraft: far above what any seeded set draws. */
const fundingOverdraft = 10n ** 17n;

export async function prepareNaiveSchema(connectionString: string): Promise<void> {
  await dropSchema(connectionString, naiveSchema);
  await migrateLatest({ connectionString, schema: naiveSchema });
}

/** Set-based seeding in one transaction: accounts, the funding transfers and their postings. */
export async function seedNaiveAccounts(pool: pg.Pool, set: AccountSet): Promise<void> {
  const client = await pool.connect();
  const n = set.size;
  const fund = fundingAmount.toString();
  try {
    await client.query('begin');
    await client.query(
      `insert into accounts (id, currency, overdraft_limit, balance, version, created_at,
         opened_by_command_id, open_request_hash)
       values ($1, 'USD', $2, -($3::numeric * $4::numeric), $3::bigint + 1, now(), 'seed', 'seed')`,
      [set.fundingId, fundingOverdraft.toString(), n, fund],
    );
    await client.query(
      `insert into accounts (id, currency, overdraft_limit, balance, version, created_at,
         opened_by_command_id, open_request_hash)
       select $1 || '-' || i, 'USD', 0, $2::numeric, 2, now(), 'seed-' || i, 'seed'
         from generate_series(0, $3::int - 1) as i`,
      [set.name, fund, n],
    );
    await client.query(
      `insert into transfers (transfer_id, idempotency_key, request_hash, command_id,
         from_account_id, to_account_id, amount, currency, status, decided_at)
       select 'fund-' || $1 || '-' || i, 'fund-' || $1 || '-' || i, 'seed', 'seed-fund-' || i,
              $2, $1 || '-' || i, $3::bigint, 'USD', 'posted', now()
         from generate_series(0, $4::int - 1) as i`,
      [set.name, set.fundingId, fund, n],
    );
    await client.query(
      `insert into postings (account_id, version, transfer_id, amount, balance_after, posted_at)
       select $2, i + 2, 'fund-' || $1 || '-' || i, -$3::bigint, -($3::numeric * (i + 1)), now()
         from generate_series(0, $4::int - 1) as i
       union all
       select $1 || '-' || i, 2, 'fund-' || $1 || '-' || i, $3::bigint, $3::numeric, now()
         from generate_series(0, $4::int - 1) as i`,
      [set.name, set.fundingId, fund, n],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
