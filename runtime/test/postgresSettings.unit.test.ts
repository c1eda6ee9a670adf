import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { createLogger } from '../src/logger.ts';
import {
  checkPostgresSettings,
  reviewedPostgresSettings,
  reviewPostgresSettings,
  type PgSetting,
} from '../src/postgresSettings.ts';

/** What every reviewed setting should be, as pg_settings reports it. */
const recommended: Record<string, PgSetting> = {
  max_wal_size: { setting: '4096', unit: 'MB' },
  wal_compression: { setting: 'lz4', unit: null },
  autovacuum: { setting: 'on', unit: null },
  checkpoint_timeout: { setting: '300', unit: 's' },
  synchronous_commit: { setting: 'on', unit: null },
  shared_buffers: { setting: '32768', unit: '8kB' },
};

/** This project's machine: autovacuum off, max_wal_size 1GB, shared_buffers 128MB. */
const projectMachine: Record<string, PgSetting> = {
  ...recommended,
  max_wal_size: { setting: '1024', unit: 'MB' },
  wal_compression: { setting: 'off', unit: null },
  autovacuum: { setting: 'off', unit: null },
  shared_buffers: { setting: '16384', unit: '8kB' },
};

const review = (settings: Record<string, PgSetting>) =>
  reviewPostgresSettings(new Map(Object.entries(settings)));
const withOne = (name: string, setting: PgSetting) => review({ ...recommended, [name]: setting });

describe('review of the Postgres settings', () => {
  it('given the recommended settings, when reviewed, then there is nothing to say', () => {
    assert.deepEqual(review(recommended), []);
  });

  it('given no settings read, when reviewed, then absent settings are skipped', () => {
    assert.deepEqual(review({}), []);
  });

  it("given this project's machine, when reviewed, then four findings name the current values as SHOW prints them", () => {
    const findings = review(projectMachine);

    assert.deepEqual(
      findings.map(({ name, current, recommended, severity }) => ({
        name,
        current,
        recommended,
        severity,
      })),
      [
        { name: 'max_wal_size', current: '1GB', recommended: '≥ 4GB', severity: 'warn' },
        { name: 'wal_compression', current: 'off', recommended: 'lz4', severity: 'warn' },
        { name: 'autovacuum', current: 'off', recommended: 'on', severity: 'warn' },
        { name: 'shared_buffers', current: '128MB', recommended: '≥ 256MB', severity: 'info' },
      ],
    );
    const walReason = findings[0]?.reason ?? '';
    assert.match(walReason, /~4\.7 kB of WAL/);
    assert.match(
      walReason,
      /~47 MB\/s at 10,000 transfers\/s; 1GB of WAL forces a checkpoint every ~23 s/,
    );
  });

  it('given max_wal_size at and just below 4GB, when reviewed, then only the lower one is a finding', () => {
    assert.deepEqual(withOne('max_wal_size', { setting: '4096', unit: 'MB' }), []);
    assert.equal(withOne('max_wal_size', { setting: '4095', unit: 'MB' })[0]?.current, '4095MB');
  });

  it('given max_wal_size in pre-PG 11 16MB segments, when reviewed, then the count is applied', () => {
    assert.deepEqual(withOne('max_wal_size', { setting: '256', unit: '16MB' }), []);
    assert.equal(withOne('max_wal_size', { setting: '64', unit: '16MB' })[0]?.current, '1GB');
  });

  it('given shared_buffers in 8kB pages, when reviewed, then 256MB is enough and one page less is not', () => {
    assert.deepEqual(withOne('shared_buffers', { setting: '32768', unit: '8kB' }), []);
    const [finding] = withOne('shared_buffers', { setting: '32767', unit: '8kB' });
    assert.equal(finding?.current, '262136kB');
    assert.equal(finding?.severity, 'info');
  });

  it('given checkpoint_timeout below 5 min, when reviewed, then it is a warning; 5min in minutes is fine', () => {
    const [finding] = withOne('checkpoint_timeout', { setting: '30', unit: 's' });
    assert.equal(finding?.current, '30s');
    assert.equal(finding?.recommended, '≥ 5min');
    assert.equal(finding?.severity, 'warn');
    assert.deepEqual(withOne('checkpoint_timeout', { setting: '5', unit: 'min' }), []);
  });

  it('given a size reported in a unit the check does not read, when reviewed, then it says so instead of guessing', () => {
    for (const setting of [
      { setting: '4096', unit: 'furlongs' },
      { setting: '4096', unit: null },
      { setting: '300', unit: 's' },
    ]) {
      const [finding] = withOne('max_wal_size', setting);
      assert.equal(finding?.current, `${setting.setting} (unit ${setting.unit ?? 'none'})`);
      assert.match(finding?.reason ?? '', /check by hand that it is ≥ 4GB/);
    }
  });

  it('given wal_compression on or any compression method, when reviewed, then it is fine', () => {
    for (const method of ['on', 'pglz', 'lz4', 'zstd']) {
      assert.deepEqual(withOne('wal_compression', { setting: method, unit: null }), [], method);
    }
  });

  it('given synchronous_commit off, when reviewed, then it is information about the risk; local is durable', () => {
    const [finding] = withOne('synchronous_commit', { setting: 'off', unit: null });
    assert.equal(finding?.severity, 'info');
    assert.match(finding?.reason ?? '', /exactly-once/);
    assert.deepEqual(withOne('synchronous_commit', { setting: 'local', unit: null }), []);
  });

  it('given the reviewed names, when listed, then they are the six settings in report order', () => {
    assert.deepEqual(reviewedPostgresSettings, [
      'max_wal_size',
      'wal_compression',
      'autovacuum',
      'checkpoint_timeout',
      'synchronous_commit',
      'shared_buffers',
    ]);
  });
});

describe('start-up check of the Postgres settings', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    return { lines, logger };
  };
  /** Only `query` is used; a stand-in answers it. */
  const poolAnswering = (query: () => Promise<unknown>) => ({ query }) as unknown as pg.Pool;

  it('given a server with findings, when checked, then each is one line at its severity with the reason', async () => {
    const { lines, logger } = capture();
    const rows = Object.entries(projectMachine).map(([name, value]) => ({ name, ...value }));

    const advice = await checkPostgresSettings(
      poolAnswering(() => Promise.resolve({ rows })),
      logger,
    );

    assert.equal(lines.length, advice.length);
    assert.deepEqual(
      lines.map(({ level, setting, current }) => ({ level, setting, current })),
      [
        { level: 'warn', setting: 'max_wal_size', current: '1GB' },
        { level: 'warn', setting: 'wal_compression', current: 'off' },
        { level: 'warn', setting: 'autovacuum', current: 'off' },
        { level: 'info', setting: 'shared_buffers', current: '128MB' },
      ],
    );
    for (const [index, line] of lines.entries()) {
      assert.equal(line.reason, advice[index]?.reason);
      assert.equal(line.recommended, advice[index]?.recommended);
    }
  });

  it('given a read that fails, when checked, then it warns once and does not throw', async () => {
    const { lines, logger } = capture();

    const advice = await checkPostgresSettings(
      poolAnswering(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))),
      logger,
    );

    assert.deepEqual(advice, []);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, 'warn');
    assert.match(JSON.stringify(lines[0]?.error), /ECONNREFUSED/);
  });
});
