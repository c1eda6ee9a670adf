import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The head of each hash chain of the events topic (schemas/src/eventChain.ts): one chain per
 * `ledger.commands` partition, its last link's sequence and hash. The processor that holds the
 * partition's offset lock (consumer_offsets) reads and advances it in the same transaction as the
 * events it links, so a crash or a rebalance continues the chain exactly where the committed
 * events left it. Keyed by the events topic too: a second ledger on other topics in the same
 * database has chains of its own.
 */
export const eventChainHeadsMigration: Migration = {
  name: '0016_event_chain_heads',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table event_chain_heads (
        topic text collate "C" not null,
        chain integer not null,
        sequence bigint not null,
        hash text collate "C" not null,
        constraint event_chain_heads_pkey primary key (topic, chain),
        constraint event_chain_heads_chain_natural check (chain >= 0),
        constraint event_chain_heads_sequence_positive check (sequence >= 1),
        constraint event_chain_heads_hash_hex check (hash ~ '^[0-9a-f]{64}$')
      )`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table event_chain_heads']);
  },
};
