import knexFactory, { type Knex } from 'knex';
import { schemaNamePattern } from '@ledger/runtime';
import { migrations as ledgerMigrations, type Migration } from '../../migrations/index.ts';

/**
 * Runs the explicit migration list of infra/migrations/index.ts (or a list a test passes) in one
 * Postgres schema. Each schema has its own knex_migrations table and lock, so parallel tests in
 * their own schemas never see each other's history; the schema is created when missing.
 */
export const defaultLedgerSchema = 'ledger';

export interface MigratorOptions {
  readonly connectionString: string;
  /** Defaults to `ledger`; tests pass a random one. */
  readonly schema?: string;
  /** Defaults to the ledger's list in infra/migrations/index.ts. */
  readonly migrations?: readonly Migration[];
}

export interface MigrationStatus {
  readonly schema: string;
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

const migrationsTable = 'knex_migrations';
/** Knex takes its lock in one connection and may run a migration in another. */
const migratorPoolMax = 2;

/** knex reads migrations from here instead of a folder, so tsx, compiled JS and tests agree. */
export function createMigrationSource(list: readonly Migration[]): Knex.MigrationSource<Migration> {
  const names = new Set<string>();
  for (const migration of list) {
    if (names.has(migration.name)) throw new Error(`migration ${migration.name} is listed twice`);
    names.add(migration.name);
  }
  return {
    getMigrations: () => Promise.resolve([...list]),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) =>
      Promise.resolve({
        up: (knex: Knex) => migration.up(knex),
        down: (knex: Knex) => migration.down(knex),
      }),
  };
}

/** Applies every pending migration; returns the names it applied (empty when up to date). */
export async function migrateLatest(options: MigratorOptions): Promise<string[]> {
  return withMigrator(options, async (knex, config) => {
    const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
    return applied;
  });
}

/** Reverts the most recent migration; returns its name (empty when nothing is applied). */
export async function migrateDown(options: MigratorOptions): Promise<string[]> {
  return withMigrator(options, async (knex, config) => {
    const [, reverted] = (await knex.migrate.down(config)) as [number, string[]];
    return reverted;
  });
}

/** Reverts every applied migration, newest first; returns their names. */
export async function rollbackAll(options: MigratorOptions): Promise<string[]> {
  return withMigrator(options, async (knex, config) => {
    const [, reverted] = (await knex.migrate.rollback(config, true)) as [number, string[]];
    return reverted;
  });
}

/** Read-only: a schema that does not exist yet has every migration pending and is not created. */
export async function migrationStatus(options: MigratorOptions): Promise<MigrationStatus> {
  const schema = schemaOf(options);
  const list = options.migrations ?? ledgerMigrations;
  if (!(await schemaExists(options.connectionString, schema))) {
    return { schema, applied: [], pending: list.map((migration) => migration.name) };
  }
  return withMigrator(options, async (knex, config) => {
    const [completed, pending] = (await knex.migrate.list(config)) as [
      readonly (string | { name: string })[],
      readonly Migration[],
    ];
    return {
      schema,
      applied: completed.map((entry) => (typeof entry === 'string' ? entry : entry.name)),
      pending: pending.map((migration) => migration.name),
    };
  });
}

async function schemaExists(connectionString: string, schema: string): Promise<boolean> {
  const knex = knexFactory({
    client: 'pg',
    connection: connectionString,
    pool: { min: 0, max: 1 },
  });
  try {
    const rows = (await knex('information_schema.schemata')
      .where({ schema_name: schema })
      .select('schema_name')) as unknown[];
    return rows.length > 0;
  } finally {
    await knex.destroy();
  }
}

/** Drops a schema and everything in it: for tests that migrated a throwaway schema. */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  assertSchemaName(schema);
  const knex = knexFactory({
    client: 'pg',
    connection: connectionString,
    pool: { min: 0, max: 1 },
  });
  try {
    await knex.raw('drop schema if exists ?? cascade', [schema]);
  } finally {
    await knex.destroy();
  }
}

function schemaOf(options: MigratorOptions): string {
  const schema = options.schema ?? defaultLedgerSchema;
  assertSchemaName(schema);
  return schema;
}

function assertSchemaName(schema: string): void {
  if (!schemaNamePattern.test(schema)) {
    throw new Error(`schema name ${schema} does not match ${schemaNamePattern.source}`);
  }
}

async function withMigrator<T>(
  options: MigratorOptions,
  run: (knex: Knex, config: Knex.MigratorConfig) => Promise<T>,
): Promise<T> {
  const schema = schemaOf(options);
  const knex = knexFactory({
    client: 'pg',
    connection: options.connectionString,
    // Unqualified names in a migration land in this schema; public stays reachable for
    // extensions and functions installed there.
    searchPath: [schema, 'public'],
    pool: { min: 0, max: migratorPoolMax },
  });
  try {
    await knex.raw('create schema if not exists ??', [schema]);
    return await run(knex, {
      schemaName: schema,
      tableName: migrationsTable,
      migrationSource: createMigrationSource(options.migrations ?? ledgerMigrations),
    });
  } finally {
    await knex.destroy();
  }
}
