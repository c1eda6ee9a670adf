import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { createKafkaClient, createLogger, readStackConfig, topicNames } from '@ledger/runtime';
import pg from 'pg';
import { deleteSubjects, deleteTopics } from '@ledger/testing';

// `stackCli provision`, as docker-compose's `setup` job runs it, against the running dependencies:
// a database, topics and a prefix of its own, all removed after.
const repoRoot = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

describe('stackCli provision against running dependencies', () => {
  const suffix = randomBytes(3).toString('hex');
  const database = `ledger_prov_${suffix}`;
  const prefix = `prov${suffix}`;
  const env = { ...process.env, LEDGER_PG_DATABASE: database, LEDGER_TOPIC_PREFIX: prefix };
  const config = readStackConfig(env);
  const kafka = createKafkaClient({
    clientId: 'provision-test',
    brokers: config.kafkaBrokers,
    logger: createLogger({ level: 'error' }),
  });
  let stackDir = '';

  after(async () => {
    await deleteTopics(kafka, topicNames(prefix)).catch(() => undefined);
    await deleteSubjects(config.registryUrl, topicNames(prefix)).catch(() => undefined);
    const admin = new pg.Client({ connectionString: config.postgresAdminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    if (stackDir !== '') await rm(stackDir, { recursive: true, force: true });
  });

  it('given Kafka, the registry and Postgres running, when provision runs twice, then the database is migrated, the topics and schemas exist, and the second run changes nothing', async () => {
    stackDir = await mkdtemp(join(tmpdir(), 'provision-'));
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'infra/src/cli/stackCli.ts', ...args], {
        cwd: repoRoot,
        env: { ...env, LEDGER_STACK_DIR: stackDir },
        timeout: 120_000,
      });

    const first = await cli(['provision']);
    const second = await cli(['provision']);

    assert.match(first.stdout, /topics: 4 created/);
    assert.match(second.stdout, /topics: 0 created, 4 existing/);
    assert.match(second.stdout, /provisioned/);
    const admin = kafka.admin();
    await admin.connect();
    const listed = new Set(await admin.listTopics());
    await admin.disconnect();
    for (const topic of Object.values(topicNames(prefix))) assert.ok(listed.has(topic), topic);
    const client = new pg.Client({ connectionString: config.postgresUrl });
    await client.connect();
    const tables = await client.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_schema = 'ledger' and table_name = 'transfers'",
    );
    await client.end();
    assert.equal(tables.rows[0]?.n, 1);
    const subjects = (await (await fetch(`${config.registryUrl}/subjects`)).json()) as string[];
    assert.ok(
      subjects.some((subject) => subject.startsWith(`${prefix}.commands`)),
      'schemas registered',
    );
  });
});
