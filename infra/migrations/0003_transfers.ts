import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * One row per decided transfer, posted or rejected: the transfer status the query API serves, and the
 * idempotency record (a key, or a transferId, is owned by its first request; `request_hash` tells
 * a replay from a conflict). Requests refused as idempotency conflicts or duplicates own nothing
 * and appear only in command_outcomes.
 *
 * No foreign keys to accounts: a rejected transfer may name an account that does not exist
 * (account_not_found). Posted transfers reach their accounts through postings, which do have them.
 * The rejection codes are spelled out, not imported: a migration is history and must not change
 * meaning when the code list in @ledger/runtime grows (a new code gets a new migration).
 */
export const transfersMigration: Migration = {
  name: '0003_transfers',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table transfers (
        transfer_id text collate "C" primary key,
        idempotency_key text collate "C" not null,
        request_hash text not null,
        command_id text not null,
        from_account_id text collate "C" not null,
        to_account_id text collate "C" not null,
        amount bigint not null,
        currency char(3) not null,
        metadata jsonb not null default '{}',
        status text not null,
        code text,
        decided_at timestamptz not null,
        constraint transfers_idempotency_key_unique unique (idempotency_key),
        constraint transfers_amount_positive check (amount > 0),
        constraint transfers_status_known check (status in ('posted', 'rejected')),
        constraint transfers_code_matches_status check (
          (status = 'posted' and code is null) or
          (status = 'rejected' and code in (
            'same_account', 'account_not_found', 'account_closed',
            'currency_mismatch', 'insufficient_funds'))
        ),
        constraint transfers_posted_between_two_accounts check (
          status <> 'posted' or from_account_id <> to_account_id
        )
      )`,
      `create trigger transfers_append_only
        before update or delete or truncate on transfers
        for each statement execute function forbid_ledger_rewrite()`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table transfers']);
  },
};
