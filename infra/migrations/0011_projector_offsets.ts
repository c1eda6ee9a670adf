import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Where the projector resumes in `ledger.events`, per consumer group and partition, written in
 * the same transaction as the read-model rows it covers (exactly-once effect, as
 * consumer_offsets is for the processor). Updates are a compare-and-set on next_offset; the
 * rebuild command sets these rows when it swaps in freshly replayed read models.
 */
export const projectorOffsetsMigration: Migration = {
  name: '0011_projector_offsets',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table projector_offsets (
        consumer_group text not null,
        topic text not null,
        partition integer not null,
        next_offset bigint not null,
        updated_at timestamptz not null default now(),
        constraint projector_offsets_pkey primary key (consumer_group, topic, partition),
        constraint projector_offsets_partition_not_negative check (partition >= 0),
        constraint projector_offsets_next_offset_not_negative check (next_offset >= 0)
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table projector_offsets']);
  },
};
