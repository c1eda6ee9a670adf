import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStackConfig } from '@ledger/runtime';
import { ensurePostgres } from '../src/localServices/postgres.ts';
import { ensureRedis, redisCommand, stopRedis } from '../src/localServices/redis.ts';
import { createCollectingReporter } from '../src/reporter.ts';
import { waitUntil } from '../src/supervisor/waitFor.ts';

// Postgres and Redis are the machine's services: the stack starts one only when it is down,
// says so, and stops only what it started. Redis is exercised on a port of its own so the
// machine's instance (used by other tests) is never touched.

const dirs: string[] = [];
const startedRedisUrls: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

void describe('local services', () => {
  after(async () => {
    for (const url of startedRedisUrls) await stopRedis(url, createCollectingReporter());
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  void it('given Postgres running, when ensured, then it is used as is and not recorded as started by the stack', async () => {
    const reporter = createCollectingReporter();

    const handle = await ensurePostgres(readStackConfig().postgresAdminUrl, reporter);

    assert.equal(handle.startedCluster, undefined);
    assert.match(reporter.lines.join('\n'), /^postgres: running at /);
  });

  void it('given no Redis on its port, when ensured, then it is started and recorded; when stopped, then it no longer answers', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const stackDir = await mkdtemp(join(tmpdir(), 'ledger-redis-'));
    dirs.push(stackDir);
    const reporter = createCollectingReporter();

    const handle = await ensureRedis(url, stackDir, reporter);
    startedRedisUrls.push(url);

    assert.equal(handle.startedPort, port);
    assert.ok(
      reporter.lines.some((line) =>
        line.startsWith(`redis: was down: started it at 127.0.0.1:${port}`),
      ),
    );
    assert.deepEqual(await redisCommand('127.0.0.1', port, ['PING']), { ok: true, reply: '+PONG' });

    await stopRedis(url, reporter);
    startedRedisUrls.pop();
    const gone = await waitUntil(
      async () => !(await redisCommand('127.0.0.1', port, ['PING'])).ok,
      {
        timeoutMs: 10_000,
      },
    );
    assert.equal(gone.kind, 'ok');
  });

  void it('given Redis running, when ensured again, then it is not recorded as started by the stack', async () => {
    const handle = await ensureRedis(
      readStackConfig().redisUrl,
      tmpdir(),
      createCollectingReporter(),
    );

    assert.equal(handle.startedPort, undefined);
  });
});
