import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { failureLine, type StackFailure } from '../src/failures.ts';
import { isAlive } from '../src/processes/processInfo.ts';
import { createCollectingReporter } from '../src/reporter.ts';
import type { RestartPolicy } from '../src/stackLimits.ts';
import { Supervisor, type PartSpec } from '../src/supervisor/supervisor.ts';
import { httpAnswers, waitUntil } from '../src/supervisor/waitFor.ts';

// The supervisor with small node processes as parts (no Kafka needed): health waits, restarts
// with backoff, the restart budget, start failures and the stop order.

const fastPolicy: RestartPolicy = {
  initialDelayMs: 50,
  delayMaxMs: 200,
  multiplier: 2,
  restartsPerWindowMax: 2,
  restartWindowMs: 60_000,
  stableAfterMs: 60_000,
};
const waitMs = 20_000;
const dirs: string[] = [];
const supervisors: Supervisor[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

/** An HTTP part; `exitAfterFirstRequestMs` makes it die soon after its first health check. */
async function httpPart(
  name: string,
  options: { exitAfterFirstRequestMs?: number } = {},
): Promise<PartSpec> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-supervisor-'));
  dirs.push(dir);
  const port = await freePort();
  const exitAfter = options.exitAfterFirstRequestMs;
  const script = [
    "const http = require('node:http');",
    `console.log('part ${name} starting');`,
    'http.createServer((req, res) => {',
    "  res.end('ok');",
    exitAfter === undefined ? '' : `  setTimeout(() => process.exit(3), ${exitAfter});`,
    `}).listen(${port}, '127.0.0.1');`,
  ].join('\n');
  return {
    name,
    command: process.execPath,
    args: ['-e', script, '--', `--part=${name}`],
    cwd: dir,
    env: process.env,
    logFile: join(dir, `${name}.log`),
    identity: `--part=${name}`,
    ports: [{ port, envName: `TEST_${name.toUpperCase()}_PORT` }],
    health: {
      description: `GET http://127.0.0.1:${port}/ 200`,
      timeoutMs: waitMs,
      probe: () => httpAnswers(`http://127.0.0.1:${port}/`),
    },
  };
}

function newSupervisor(onGiveUp: (failure: StackFailure) => void = () => {}) {
  const reporter = createCollectingReporter();
  const supervisor = new Supervisor({
    reporter,
    onGiveUp,
    policy: fastPolicy,
    stopTimeoutMs: 5_000,
  });
  supervisors.push(supervisor);
  return { supervisor, reporter };
}

void describe('supervisor', () => {
  after(async () => {
    for (const supervisor of supervisors) await supervisor.stopAll();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  void it('given a healthy part, when it is killed, then it is restarted after a backoff and is healthy again with a new pid', async () => {
    const { supervisor, reporter } = newSupervisor();
    const spec = await httpPart('steady');
    const first = await supervisor.start(spec);

    process.kill(first.pid, 'SIGKILL');
    const restarted = await waitUntil(
      () =>
        Promise.resolve(reporter.lines.some((line) => line.startsWith('steady: restarted (pid'))),
      { timeoutMs: waitMs },
    );

    assert.equal(restarted.kind, 'ok', reporter.lines.join('\n'));
    assert.notEqual(supervisor.running()[0]?.pid, first.pid);
    assert.ok(await spec.health.probe());
    assert.ok(
      reporter.lines.some((line) =>
        /^steady: died \(killed by SIGKILL\), restarting in 0\.1 s/.test(line),
      ),
      reporter.lines.join('\n'),
    );
    assert.ok(
      reporter.lines.some((line) => line.startsWith('steady: restarted (pid')),
      reporter.lines.join('\n'),
    );
    await supervisor.stopAll();
  });

  void it('given a part that keeps dying after it is healthy, when it exceeds the restart budget, then the supervisor gives up with one line', async () => {
    const failures: StackFailure[] = [];
    const { supervisor, reporter } = newSupervisor((failure) => failures.push(failure));
    const spec = await httpPart('flaky', { exitAfterFirstRequestMs: 50 });
    await supervisor.start(spec);

    const gaveUp = await waitUntil(() => Promise.resolve(failures.length > 0), {
      timeoutMs: waitMs,
    });

    assert.equal(gaveUp.kind, 'ok', reporter.lines.join('\n'));
    const line = failureLine(failures[0] as StackFailure);
    assert.match(
      line,
      /^flaky: died 3 times within 60 s, giving up: fix the cause shown in .*flaky\.log, then start the stack again$/,
    );
    assert.equal(reporter.lines.filter((l) => l.startsWith('flaky: died (')).length, 2);
    await supervisor.stopAll();
  });

  void it('given a part that exits before it is healthy, when started, then the start fails naming its exit and last log line', async () => {
    const { supervisor } = newSupervisor();
    const spec = await httpPart('broken');
    const crashing: PartSpec = {
      ...spec,
      args: ['-e', "console.error('Error: config is bad'); process.exit(2)", '--', '--part=broken'],
    };

    await assert.rejects(supervisor.start(crashing), (error: StackFailure) => {
      assert.match(
        failureLine(error),
        /^broken: exited \(exit code 2\) before it became healthy, last log line: Error: config is bad: see .*broken\.log$/,
      );
      return true;
    });
  });

  void it('given two running parts, when stopped, then the newest stops first and both processes are gone, logs kept', async () => {
    const { supervisor, reporter } = newSupervisor();
    const first = await supervisor.start(await httpPart('first'));
    const second = await supervisor.start(await httpPart('second'));

    await supervisor.stopAll();

    const stops = reporter.lines.filter(
      (line) => / stopped \(pid /.test(line) || /: stopped \(pid/.test(line),
    );
    assert.deepEqual(
      stops.map((line) => line.split(':')[0]),
      ['second', 'first'],
    );
    assert.equal(isAlive(first.pid), false);
    assert.equal(isAlive(second.pid), false);
    assert.match(await readFile(first.logFile, 'utf8'), /part first starting/);
    assert.deepEqual(supervisor.running(), []);
  });
});
