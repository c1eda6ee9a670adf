import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The transactional outbox: events written in the batch's transaction, published to Kafka after
 * commit by the processor's relay, in id order per command partition, then marked sent.
 *
 * payload is bytea: the exact Kafka value, already encoded (Confluent wire format: magic byte,
 * schema id, Avro) before the transaction. So what was committed is byte for byte what gets
 * published — after a crash the relay republishes identical messages, whatever schema version is
 * current by then; an event that cannot be encoded fails its batch before commit instead of
 * wedging the relay after it; and the relay needs no registry or codec, only a producer. The
 * event stays readable in SQL through event_type and event_id, and the ledger tables hold the
 * same facts in columns.
 *
 * command_partition is the ledger.commands partition whose batch wrote the row: each processor
 * relays the partitions it owns, and a new owner picks up what the old one left unsent. The
 * partial index holds only unsent rows, so the relay's scan stays small however long sent rows
 * are kept; ids come from a sequence, in commit order within one partition's single writer.
 *
 * Superseded in part by 0013 (its statements here stay as released): the relay records a
 * published position per partition instead of sent_at, and outbox_partition_id replaces the
 * partial index.
 */
export const outboxMigration: Migration = {
  name: '0006_outbox',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table outbox (
        id bigserial primary key,
        command_partition integer not null,
        topic text not null,
        partition_key text not null,
        event_id text not null,
        event_type text not null,
        headers jsonb not null default '{}',
        payload bytea not null,
        created_at timestamptz not null default now(),
        sent_at timestamptz,
        constraint outbox_command_partition_not_negative check (command_partition >= 0),
        constraint outbox_headers_is_object check (jsonb_typeof(headers) = 'object')
      )`,
      `create index outbox_unsent on outbox (command_partition, id) where sent_at is null`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table outbox']);
  },
};
