import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { Knex } from 'knex';
import { readStackConfig } from '@ledger/runtime';
import { migrations as ledgerMigrations, type Migration } from '../migrations/index.ts';
import {
  dropSchema,
  migrateDown,
  migrateLatest,
  migrationStatus,
  rollbackAll,
} from '../src/migrations/migrator.ts';

// The migrator against the real Postgres (database of LEDGER_PG_URL, created by the stack), each
// test in its own random schema, dropped afterwards.

const { postgresUrl } = readStackConfig();
const schemas: string[] = [];

function freshSchema(): string {
  const schema = `infra_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  return schema;
}

async function tablesIn(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [schema],
    );
    return result.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query(
      'select 1 from information_schema.schemata where schema_name = $1',
      [schema],
    );
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

/** A throwaway list: two tables, the second referencing the first, each with its down. */
const throwaway: readonly Migration[] = [
  {
    name: '0001_widgets',
    up: async (knex: Knex) => {
      await knex.schema.createTable('widgets', (table) => {
        table.text('id').primary();
      });
    },
    down: async (knex: Knex) => {
      await knex.schema.dropTable('widgets');
    },
  },
  {
    name: '0002_widget_parts',
    up: async (knex: Knex) => {
      await knex.schema.createTable('widget_parts', (table) => {
        table.text('widget_id').references('id').inTable('widgets');
        table.bigInteger('quantity').notNullable();
      });
    },
    down: async (knex: Knex) => {
      await knex.schema.dropTable('widget_parts');
    },
  },
];
const knexTables = ['knex_migrations', 'knex_migrations_lock'];

void describe('migrator', () => {
  after(async () => {
    for (const schema of schemas) await dropSchema(postgresUrl, schema);
  });

  void it('given a fresh schema, when migrated to latest, then every migration is applied in that schema with its own history table', async () => {
    const schema = freshSchema();

    const applied = await migrateLatest({
      connectionString: postgresUrl,
      schema,
      migrations: throwaway,
    });

    assert.deepEqual(applied, ['0001_widgets', '0002_widget_parts']);
    assert.deepEqual(await tablesIn(schema), [...knexTables, 'widget_parts', 'widgets'].sort());
    const status = await migrationStatus({
      connectionString: postgresUrl,
      schema,
      migrations: throwaway,
    });
    assert.deepEqual(status, {
      schema,
      applied: ['0001_widgets', '0002_widget_parts'],
      pending: [],
    });
  });

  void it('given a migrated schema, when migrated again, then nothing is applied twice', async () => {
    const schema = freshSchema();
    await migrateLatest({ connectionString: postgresUrl, schema, migrations: throwaway });

    const applied = await migrateLatest({
      connectionString: postgresUrl,
      schema,
      migrations: throwaway,
    });

    assert.deepEqual(applied, []);
  });

  void it('given a migrated schema, when migrated down once then rolled back, then the latest goes first and the schema ends empty', async () => {
    const schema = freshSchema();
    const options = { connectionString: postgresUrl, schema, migrations: throwaway };
    await migrateLatest(options);

    const down = await migrateDown(options);
    assert.deepEqual(down, ['0002_widget_parts']);
    assert.deepEqual(await tablesIn(schema), [...knexTables, 'widgets'].sort());
    assert.deepEqual((await migrationStatus(options)).pending, ['0002_widget_parts']);

    const rest = await rollbackAll(options);
    assert.deepEqual(rest, ['0001_widgets']);
    assert.deepEqual(await tablesIn(schema), knexTables);
  });

  void it('given a schema that does not exist, when its status is asked, then every migration is pending and the schema is not created', async () => {
    const schema = freshSchema();

    const status = await migrationStatus({
      connectionString: postgresUrl,
      schema,
      migrations: throwaway,
    });

    assert.deepEqual(status, {
      schema,
      applied: [],
      pending: ['0001_widgets', '0002_widget_parts'],
    });
    assert.equal(await schemaExists(schema), false);
  });

  void it('given an empty migration list, when migrated, then nothing happens and the status is empty', async () => {
    const schema = freshSchema();
    const options = { connectionString: postgresUrl, schema, migrations: [] };

    assert.deepEqual(await migrateLatest(options), []);
    assert.deepEqual(await migrationStatus(options), { schema, applied: [], pending: [] });
    assert.deepEqual(await rollbackAll(options), []);
  });

  void it("given the ledger's own migration list, when migrated up and rolled back in a fresh schema, then every down undoes its up", async () => {
    const schema = freshSchema();
    const options = { connectionString: postgresUrl, schema };

    const applied = await migrateLatest(options);
    assert.deepEqual(
      applied,
      ledgerMigrations.map((migration) => migration.name),
    );
    const reverted = await rollbackAll(options);

    assert.deepEqual(reverted, [...applied].reverse());
    assert.deepEqual(await tablesIn(schema), knexTables);
  });
});
