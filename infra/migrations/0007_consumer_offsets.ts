import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Where each consumer group resumes, stored with the effects it covers (docs/architecture.md: the
 * offset commits atomically with the ledger writes, Kafka's own offset is for lag monitoring only).
 *
 * Writes are a compare-and-set:
 *   UPDATE consumer_offsets SET next_offset = $new, generation = $gen, owner = $me, updated_at = now()
 *   WHERE consumer_group = $g AND topic = $t AND partition = $p
 *     AND next_offset = $expected AND generation <= $gen
 * and the batch's transaction rolls back unless exactly one row changed: a second writer after a
 * rebalance (a zombie of an older generation, or one that resumed from an older offset) is
 * detected instead of applying a batch twice. The first batch of a partition inserts its row
 * (`ON CONFLICT DO NOTHING`, then the same update), so the primary key decides a race.
 */
export const consumerOffsetsMigration: Migration = {
  name: '0007_consumer_offsets',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table consumer_offsets (
        consumer_group text not null,
        topic text not null,
        partition integer not null,
        next_offset bigint not null,
        generation integer not null,
        owner text not null,
        updated_at timestamptz not null default now(),
        constraint consumer_offsets_pkey primary key (consumer_group, topic, partition),
        constraint consumer_offsets_partition_not_negative check (partition >= 0),
        constraint consumer_offsets_next_offset_not_negative check (next_offset >= 0)
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table consumer_offsets']);
  },
};
