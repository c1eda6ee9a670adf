import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The projector's outbox for the compacted `ledger.balances` changelog, one row per account whose
 * newest projected balance may not be published yet. The projector upserts a row in the same
 * transaction that advances account_view, publishes after commit, then deletes rows up to the
 * version it published. A crash or a Kafka outage between commit and publish therefore leaves a
 * row behind, and the projector's drain republishes the account's CURRENT balance later — without
 * it, a cache could keep an old balance forever (invariant 6, docs/architecture.md). One row per account, not
 * per change: the changelog only needs the newest balance, so the table stays as small as the set
 * of accounts changed since the last publish.
 */
export const projectorUnpublishedBalancesMigration: Migration = {
  name: '0012_projector_unpublished_balances',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table projector_unpublished_balances (
        account_id text collate "C" not null,
        version bigint not null,
        constraint projector_unpublished_balances_pkey primary key (account_id)
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table projector_unpublished_balances']);
  },
};
