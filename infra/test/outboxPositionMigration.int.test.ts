import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createPostgresPool, readStackConfig } from '@ledger/runtime';
import { migrations } from '../migrations/index.ts';
import { dropSchema, migrateDown, migrateLatest } from '../src/migrations/migrator.ts';

// Migration 0013 against the real Postgres, in its own random schema: the published positions it
// seeds from rows that 0006's relay marked sent (or not), and its down.

const { postgresUrl } = readStackConfig();
const schema = `infra_test_outbox_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const positionMigration = '0013_outbox_published_position';
const positionIndex = migrations.findIndex((migration) => migration.name === positionMigration);
const beforePositions = migrations.slice(0, positionIndex);
/** Up to 0013 only, so later migrations never change what this test migrates down. */
const throughPositions = migrations.slice(0, positionIndex + 1);

/**
 * Rows in insertion (= id) order, partitions interleaved as a processor writes them. Partition 0:
 * a crash left its last two unsent; 1: all sent; 2: nothing sent; 3: a sent row after an unsent
 * one (a former owner's batch published after a new owner's drain).
 */
const rows: readonly { partition: number; sent: boolean }[] = [
  { partition: 0, sent: true }, // id 1
  { partition: 1, sent: true }, // 2
  { partition: 3, sent: true }, // 3
  { partition: 0, sent: true }, // 4
  { partition: 1, sent: true }, // 5
  { partition: 0, sent: false }, // 6
  { partition: 2, sent: false }, // 7
  { partition: 3, sent: false }, // 8
  { partition: 0, sent: false }, // 9
  { partition: 3, sent: true }, // 10
];
/** Per partition: the id before its oldest unsent row, or its last id. */
const seededPositions = [
  [0, '5'],
  [1, '5'],
  [2, '6'],
  [3, '7'],
];

describe('migration 0013: the outbox published position', () => {
  let pool: pg.Pool;

  before(async () => {
    await migrateLatest({ connectionString: postgresUrl, schema, migrations: beforePositions });
    pool = createPostgresPool({
      connectionString: postgresUrl,
      schema,
      max: 2,
      applicationName: 'infra-test-outbox-positions',
    });
    for (const row of rows) {
      await pool.query(
        `insert into outbox (command_partition, topic, partition_key, event_id, event_type, payload,
                             sent_at)
         values ($1, 'ledger.events', 'acct', $2, 'TransferPosted', '\\x00'::bytea,
                 case when $3::boolean then now() end)`,
        [row.partition, randomUUID(), row.sent],
      );
    }
  });

  after(async () => {
    await pool?.end();
    await dropSchema(postgresUrl, schema);
  });

  async function positions(): Promise<(string | number)[][]> {
    const result = await pool.query<{ command_partition: number; published_id: string }>(
      'select command_partition, published_id from outbox_positions order by command_partition',
    );
    return result.rows.map((row) => [row.command_partition, row.published_id]);
  }

  async function indexes(): Promise<string[]> {
    const result = await pool.query<{ indexname: string }>(
      `select indexname from pg_indexes where schemaname = $1 and tablename = 'outbox'
        order by indexname`,
      [schema],
    );
    return result.rows.map((row) => row.indexname);
  }

  it('given sent and unsent rows, when migrated, then each partition starts from the id before its oldest unsent row, or from its last id', async () => {
    assert.deepEqual(
      await migrateLatest({ connectionString: postgresUrl, schema, migrations: throughPositions }),
      [positionMigration],
    );

    assert.deepEqual(await positions(), seededPositions);
    assert.deepEqual(await indexes(), ['outbox_partition_id', 'outbox_pkey']);
    const sentAt = await pool.query(
      `select 1 from information_schema.columns
        where table_schema = $1 and table_name = 'outbox' and column_name = 'sent_at'`,
      [schema],
    );
    assert.equal(sentAt.rowCount, 0, 'sent_at is dropped');
  });

  it('given positions, when migrated down, then the rows at or below them are sent, the partial index is back and migrating up again seeds the same positions', async () => {
    await pool.query(
      'update outbox_positions set published_id = 9, updated_at = now() where command_partition = 0',
    );

    assert.deepEqual(
      await migrateDown({ connectionString: postgresUrl, schema, migrations: throughPositions }),
      [positionMigration],
    );

    const sent = await pool.query<{ id: string; sent: boolean }>(
      'select id, sent_at is not null as sent from outbox order by id',
    );
    assert.deepEqual(
      sent.rows.map((row) => [Number(row.id), row.sent]),
      [
        [1, true],
        [2, true],
        [3, true],
        [4, true],
        [5, true],
        [6, true],
        [7, false],
        [8, false],
        [9, true],
        [10, false],
      ],
    );
    assert.deepEqual(await indexes(), ['outbox_pkey', 'outbox_unsent']);
    const table = await pool.query(`select to_regclass('outbox_positions') as name`);
    assert.deepEqual(table.rows, [{ name: null }]);

    await migrateLatest({ connectionString: postgresUrl, schema, migrations: throughPositions });
    assert.deepEqual(await positions(), [
      [0, '9'],
      [1, '5'],
      [2, '6'],
      [3, '7'],
    ]);
  });
});
