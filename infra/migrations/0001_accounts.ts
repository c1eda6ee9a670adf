import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * One row per account: its current balance and version, changed only by the processor that
 * holds the row lock (`SELECT … ORDER BY id FOR UPDATE`). The CHECKs restate the domain's
 * bounds (ledger-processor/src/domain/bounds.ts) so a broken writer fails here, not in an audit.
 *
 * - id COLLATE "C": byte order, so the lock order is the order JS sorts the contract's ASCII ids in,
 *   independent of the database's locale, and comparisons are memcmp.
 * - balance numeric(38,0): a balance can exceed int64 (two max-overdraft accounts each sending
 *   the max amount to a third) but never 10^38 while postings sum to zero; see bounds.ts.
 * - overdraft_limit bigint: docs/contract.md bounds it to int64; the balance may go down to minus it.
 * - version: 1 at opening, +1 per posting; postings (account_id, version) is its history.
 * - opened_by_command_id and open_request_hash: an OpenAccount is idempotent by accountId, so the
 *   row keeps what a repeat is compared with (same hash: replay; other hash: account_exists).
 * No format CHECKs on id or currency: the API validates formats, and every CHECK here runs again
 * on each balance update; only the money rules are worth that.
 */
export const accountsMigration: Migration = {
  name: '0001_accounts',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table accounts (
        id text collate "C" primary key,
        currency char(3) not null,
        overdraft_limit bigint not null,
        status text not null default 'open',
        balance numeric(38, 0) not null default 0,
        version bigint not null default 1,
        metadata jsonb not null default '{}',
        created_at timestamptz not null,
        opened_by_command_id text not null,
        open_request_hash text not null,
        constraint accounts_overdraft_limit_not_negative check (overdraft_limit >= 0),
        constraint accounts_status_known check (status in ('open', 'frozen', 'closed')),
        constraint accounts_balance_within_overdraft check (balance >= -overdraft_limit),
        constraint accounts_version_positive check (version >= 1),
        constraint accounts_metadata_is_object check (jsonb_typeof(metadata) = 'object')
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table accounts']);
  },
};
