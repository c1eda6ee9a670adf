import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The outbox records what was published as one position per command partition instead of a
 * `sent_at` per row. Marking rows sent was an update of every published row in its own commit,
 * not HOT (the partial index outbox_unsent depends on sent_at), and it cost Postgres more than
 * writing the ledger rows themselves.
 *
 * Ids rise in commit order within one partition: its single writer locks the partition's offset
 * row before it inserts outbox rows, so each transaction's ids come after the previous one's.
 * What the relay has published is therefore a prefix of the partition's rows, and
 * `outbox_positions.published_id` is its last id: the relay moves it forward after Kafka
 * acknowledges a chunk, one HOT update of one row per partition per publish (neither
 * published_id nor updated_at is indexed). Rows past the position are what a crash or an outage
 * left unpublished; a new owner republishes them from outbox_partition_id. A partition without a
 * position row has published nothing.
 *
 * Seeded from the rows present: per partition, the id just before its oldest unsent row, or its
 * last id when every row was sent. A sent row after an unsent one (a former owner's batch that
 * committed after a new owner's drain) is republished: at least once, as before.
 */
export const outboxPublishedPositionMigration: Migration = {
  name: '0013_outbox_published_position',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table outbox_positions (
        command_partition integer not null,
        published_id bigint not null,
        updated_at timestamptz not null default now(),
        constraint outbox_positions_pkey primary key (command_partition),
        constraint outbox_positions_command_partition_not_negative check (command_partition >= 0),
        constraint outbox_positions_published_id_not_negative check (published_id >= 0)
      )`,
      `insert into outbox_positions (command_partition, published_id)
       select command_partition, coalesce(min(id) filter (where sent_at is null) - 1, max(id))
         from outbox
        group by command_partition`,
      `create index outbox_partition_id on outbox (command_partition, id)`,
      `drop index outbox_unsent`,
      `alter table outbox drop column sent_at`,
    ]);
  },
  async down(knex: Knex) {
    // Rows at or below the position count as sent when the position last moved (or earlier).
    await runStatements(knex, [
      `alter table outbox add column sent_at timestamptz`,
      `update outbox o set sent_at = p.updated_at
         from outbox_positions p
        where p.command_partition = o.command_partition and o.id <= p.published_id`,
      `drop index outbox_partition_id`,
      `create index outbox_unsent on outbox (command_partition, id) where sent_at is null`,
      `drop table outbox_positions`,
    ]);
  },
};
