import type { Knex } from 'knex';

/**
 * Runs DDL statements one at a time, in order. Plain SQL rather than knex's schema builder: a
 * ledger's constraints (numeric(38,0), COLLATE "C", deferrable constraint triggers, named CHECKs)
 * are the point of these migrations and read best as the SQL Postgres runs. No statement takes
 * bindings, so knex passes each through untouched. Names are never schema-qualified: the
 * migrator picks the schema with search_path.
 */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}
