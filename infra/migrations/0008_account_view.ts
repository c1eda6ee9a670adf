import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Read model: one row per account as the projector has seen it in `ledger.events`, read by the
 * query API on a cache miss. balance/version/updated_at are those of the HIGHEST version seen: an
 * account's versions arrive out of order (a transfer's credit leg is published in the partition
 * of its from-account), so the projector's upsert only ever moves a row forward
 * (`where account_view.version < excluded.version`) and a late, older event changes nothing.
 *
 * The opening attributes (overdraft_limit, status, metadata, created_at) come only from
 * AccountOpened, which lives in the account's own partition. A credit from another partition can
 * be projected first, so for a short while a row may carry a balance but no opening: those four
 * columns are then all null together (the CHECK says so), and the AccountOpened fills them in
 * later without touching the balance. Readers treat such a row as "opened, details pending".
 *
 * Every timestamp is an event's occurredAt, never the projector's clock, so replaying the log
 * (the rebuild) produces the same rows byte for byte (invariant 5, docs/architecture.md).
 */
export const accountViewMigration: Migration = {
  name: '0008_account_view',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table account_view (
        account_id text collate "C" not null,
        currency char(3) not null,
        overdraft_limit bigint,
        status text,
        balance numeric(38, 0) not null,
        version bigint not null,
        metadata jsonb,
        created_at timestamptz,
        updated_at timestamptz not null,
        constraint account_view_pkey primary key (account_id),
        constraint account_view_version_positive check (version >= 1),
        constraint account_view_opening_all_or_none check (
          (created_at is null) = (status is null) and
          (created_at is null) = (overdraft_limit is null) and
          (created_at is null) = (metadata is null)
        )
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table account_view']);
  },
};
