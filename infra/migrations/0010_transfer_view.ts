import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Read model: one row per decided transfer (GET /v1/transfers/{id}), from TransferPosted or
 * TransferRejected. A transferId is decided once by the processor (later requests replay or
 * conflict without a new event), so the first row written is final and the projector inserts
 * with `on conflict do nothing`. The code is not checked against a list: new rejection codes
 * must not need a migration of a read model.
 */
export const transferViewMigration: Migration = {
  name: '0010_transfer_view',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table transfer_view (
        transfer_id text collate "C" not null,
        status text not null,
        from_account_id text collate "C" not null,
        to_account_id text collate "C" not null,
        amount bigint not null,
        currency char(3) not null,
        code text,
        posted_at timestamptz,
        decided_at timestamptz not null,
        constraint transfer_view_pkey primary key (transfer_id),
        constraint transfer_view_status_known check (status in ('posted', 'rejected')),
        constraint transfer_view_code_matches_status check (
          (status = 'posted' and code is null and posted_at is not null) or
          (status = 'rejected' and code is not null and posted_at is null)
        )
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table transfer_view']);
  },
};
