import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createLogger } from '../src/logger.ts';
import { createPostgresPool } from '../src/postgresPool.ts';
import {
  checkPostgresSettings,
  checkpointTimeoutMinMs,
  maxWalSizeMinBytes,
  sharedBuffersMinBytes,
} from '../src/postgresSettings.ts';
import { readStackConfig } from '../src/stackConfig.ts';

/**
 * Which settings the real server should be flagged for, decided by Postgres itself (SHOW's text
 * through pg_size_bytes and interval casts), so the check's own unit handling is not its oracle.
 */
const expectedFindingsSql = `
  select name from (values
    ('max_wal_size', pg_size_bytes(current_setting('max_wal_size')) < $1::bigint),
    ('wal_compression', current_setting('wal_compression') = 'off'),
    ('autovacuum', current_setting('autovacuum') = 'off'),
    ('checkpoint_timeout',
      current_setting('checkpoint_timeout')::interval < make_interval(secs => $2::float8 / 1000)),
    ('synchronous_commit', current_setting('synchronous_commit') = 'off'),
    ('shared_buffers', pg_size_bytes(current_setting('shared_buffers')) < $3::bigint)
  ) as reviewed(name, flagged)
  where flagged`;

describe('start-up check of the Postgres settings against the real server', () => {
  let pool: pg.Pool;

  before(() => {
    pool = createPostgresPool({
      connectionString: readStackConfig(process.env).postgresAdminUrl,
      max: 1,
      applicationName: 'postgres-settings-test',
    });
  });

  after(async () => {
    await pool?.end();
  });

  it('given the local server, when checked, then the findings are the settings SHOW says are off the mark, each logged with what SHOW prints', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const expected = await pool.query<{ name: string }>(expectedFindingsSql, [
      maxWalSizeMinBytes,
      checkpointTimeoutMinMs,
      sharedBuffersMinBytes,
    ]);

    const advice = await checkPostgresSettings(pool, logger);

    const names = (rows: readonly { name: string }[]) => rows.map(({ name }) => name).sort();
    assert.deepEqual(names(advice), names(expected.rows));
    assert.deepEqual(
      lines.map(({ setting }) => setting),
      advice.map(({ name }) => name),
    );
    for (const [index, finding] of advice.entries()) {
      const shown = await pool.query<{ value: string }>('select current_setting($1) as value', [
        finding.name,
      ]);
      assert.equal(finding.current, shown.rows[0]?.value, finding.name);
      assert.equal(lines[index]?.level, finding.severity);
      assert.equal(lines[index]?.reason, finding.reason);
    }
  });
});
