import type { Knex } from 'knex';

/**
 * The ledger's Postgres schema, as an ordered list of knex migrations. Listed explicitly (not
 * read from a folder) so the same code runs under tsx, compiled JS and in tests, and so every
 * migration is reviewed with its `down`.
 */
export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [];
