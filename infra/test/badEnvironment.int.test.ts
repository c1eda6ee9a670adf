import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, truncate, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { completionMarkerName } from '../src/distribution/cacheMarker.ts';
import {
  ensureKafkaDistribution,
  kafkaDistribution,
} from '../src/distribution/kafkaDistribution.ts';
import { failureLine, StackFailure } from '../src/failures.ts';
import { ensurePostgres } from '../src/localServices/postgres.ts';
import { ensureRedis } from '../src/localServices/redis.ts';
import { repoRoot } from '../src/paths.ts';
import { assertPortsFree } from '../src/processes/portCheck.ts';
import { createCollectingReporter } from '../src/reporter.ts';

// The stack's answers to a broken machine: one line naming the part, the cause and the fix, and
// a corrupt download cache repaired by itself. Uses temporary folders and ports of its own; the
// cache tests fetch Kafka through Maven (seconds when ~/.m2 has it).

const temporaryDirs: string[] = [];
const servers: Server[] = [];

async function temporaryDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ledger-infra-${name}-`));
  temporaryDirs.push(dir);
  return dir;
}

/** A port something listens on (a net.Server in this process). */
async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

async function rejectsWithLine(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StackFailure, `expected a StackFailure, got ${String(error)}`);
    return failureLine(error);
  }
  assert.fail('expected a failure');
}

/** Runs `stackCli.ts up --deps-only` in an isolated stack folder; returns exit code and output. */
async function runStackUp(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/src/cli/stackCli.ts', 'up', '--deps-only'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

void describe('bad environment', () => {
  after(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    for (const dir of temporaryDirs) await rm(dir, { recursive: true, force: true });
  });

  void it('given a port held by another process, when the stack checks its ports, then one line names the holder and the variable to change', async () => {
    const port = await occupiedPort();

    const line = await rejectsWithLine(
      assertPortsFree('kafka', [{ port, envName: 'LEDGER_KAFKA_PORT' }]),
    );

    assert.match(
      line,
      new RegExp(
        `^kafka: port ${port} is in use by another process \\(pid ${process.pid} \\S+\\): `,
      ),
    );
    assert.match(line, /: stop it or set LEDGER_KAFKA_PORT$/);
  });

  void it('given the Kafka port taken, when up runs, then it prints that one line on stderr and exits 1 without starting anything', async () => {
    const port = await occupiedPort();
    const stackDir = await temporaryDir('stack');

    const result = await runStackUp({
      LEDGER_STACK_DIR: stackDir,
      LEDGER_KAFKA_PORT: String(port),
      LEDGER_KAFKA_CONTROLLER_PORT: String(await closedPort()),
    });

    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0] ?? '',
      new RegExp(`^kafka: port ${port} is in use by another process \\(pid ${process.pid} `),
    );
    assert.doesNotMatch(result.stdout, /stack ready/);
    assert.deepEqual(
      (await readdir(stackDir)).filter((name) => name !== 'logs'),
      [],
    );
  });

  void it('given no java on PATH, when up runs, then one line says to install a JDK 17 and it exits 1', async () => {
    const stackDir = await temporaryDir('stack');
    const ports = await Promise.all([closedPort(), closedPort(), closedPort()]);

    const result = await runStackUp({
      PATH: '/nonexistent', // node itself is started by absolute path
      LEDGER_STACK_DIR: stackDir,
      LEDGER_KAFKA_PORT: String(ports[0]),
      LEDGER_KAFKA_CONTROLLER_PORT: String(ports[1]),
      LEDGER_REGISTRY_PORT: String(ports[2]),
    });

    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      'java: not found on PATH: install a JDK 17 (apt-get install openjdk-17-jre-headless)',
    );
  });

  void it('given Postgres unreachable, when the stack ensures it, then one line says it cannot connect nor start it and how to start it', async () => {
    const port = await closedPort();

    const line = await rejectsWithLine(
      ensurePostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, createCollectingReporter()),
    );

    assert.match(
      line,
      new RegExp(
        `^postgres: cannot connect to 127\\.0\\.0\\.1:${port}/postgres \\(.*ECONNREFUSED.*\\)`,
      ),
    );
    assert.match(
      line,
      new RegExp(`and could not start it \\(no local cluster is configured for port ${port}\\)`),
    );
    assert.match(line, /: start it with pg_ctlcluster --skip-systemctl-redirect .* main start/);
  });

  void it('given Redis unreachable on a remote host, when the stack ensures it, then one line says so without trying to start it', async () => {
    const line = await rejectsWithLine(
      ensureRedis(
        'redis://192.0.2.1:6379',
        await temporaryDir('redis'),
        createCollectingReporter(),
      ),
    );

    assert.match(
      line,
      /^redis: cannot connect to 192\.0\.2\.1:6379 \(.*\) and could not start it \(192\.0\.2\.1 is not this machine/,
    );
  });

  void it('given an empty cache, when Kafka is ensured, then it is fetched and verified; given a truncated jar or a missing marker, then it is fetched again', async () => {
    const cacheDir = await temporaryDir('cache');
    const version = kafkaDistribution.version;
    const libsDir = join(cacheDir, `kafka-${version}`, 'libs');
    const clientsJar = join(libsDir, `kafka-clients-${version}.jar`);

    const reporter = createCollectingReporter();
    const first = await ensureKafkaDistribution({ cacheDir, reporter });
    assert.equal(first.fetched, true);
    assert.ok(
      reporter.lines.some((line) => line.startsWith(`kafka: fetching Kafka ${version}`)),
      reporter.lines.join('\n'),
    );
    assert.equal(
      (await ensureKafkaDistribution({ cacheDir, reporter })).fetched,
      false,
      'a verified cache is reused',
    );

    await truncate(clientsJar, 1000);
    const afterTruncate = createCollectingReporter();
    assert.equal(
      (await ensureKafkaDistribution({ cacheDir, reporter: afterTruncate })).fetched,
      true,
    );
    assert.ok(
      afterTruncate.lines.some((line) =>
        /^kafka: cache .* is incomplete or corrupt \(libs\/kafka-clients-[\d.]+\.jar has 1000 bytes, expected \d+\): fetching it again$/.test(
          line,
        ),
      ),
      afterTruncate.lines.join('\n'),
    );

    await unlink(join(cacheDir, `kafka-${version}`, completionMarkerName));
    const afterMarkerLoss = createCollectingReporter();
    assert.equal(
      (await ensureKafkaDistribution({ cacheDir, reporter: afterMarkerLoss })).fetched,
      true,
    );
    assert.ok(
      afterMarkerLoss.lines.some((line) => line.includes('no completion marker')),
      afterMarkerLoss.lines.join('\n'),
    );
    assert.equal((await ensureKafkaDistribution({ cacheDir, reporter })).fetched, false);
  });
});
