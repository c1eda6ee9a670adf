import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Read model: one row per posting leg as published in TransferPosted, served newest first by
 * the query API (`where account_id = $1 and version < $cursor order by version desc`, a backward
 * scan of the primary key). (account_id, version) identifies a leg, so the projector inserts with
 * `on conflict do nothing` and a republished event (the processor's relay is at-least-once)
 * adds nothing. amount is positive; direction says which side the account was on.
 */
export const accountHistoryMigration: Migration = {
  name: '0009_account_history',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table account_history (
        account_id text collate "C" not null,
        version bigint not null,
        transfer_id text collate "C" not null,
        direction text not null,
        amount bigint not null,
        balance_after numeric(38, 0) not null,
        counterparty_account_id text collate "C" not null,
        posted_at timestamptz not null,
        constraint account_history_pkey primary key (account_id, version),
        constraint account_history_direction_known check (direction in ('debit', 'credit')),
        constraint account_history_amount_positive check (amount > 0),
        constraint account_history_version_after_opening check (version >= 2)
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table account_history']);
  },
};
