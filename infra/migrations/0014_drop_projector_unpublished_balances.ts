import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The balances changelog moved from the projector to the processor: the processor publishes
 * every balance its events carry in the same produce request as the events, and republishes both
 * from its outbox past the published position after a crash (ledger-processor
 * balanceMessages.ts, outboxRelay.ts). The projector's own outbox for it (0012), with its upsert
 * and delete per changed account and its re-read after each publish, is gone from the hot path.
 * `down` recreates the empty table; the projector that used it would drain nothing.
 */
export const dropProjectorUnpublishedBalancesMigration: Migration = {
  name: '0014_drop_projector_unpublished_balances',
  async up(knex: Knex) {
    await runStatements(knex, ['drop table projector_unpublished_balances']);
  },
  async down(knex: Knex) {
    await runStatements(knex, [
      `create table projector_unpublished_balances (
        account_id text collate "C" not null,
        version bigint not null,
        constraint projector_unpublished_balances_pkey primary key (account_id)
      )`,
    ]);
  },
};
