import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { failures } from '../failures.ts';
import type { Reporter } from '../reporter.ts';
import { CommandNotFound, lastLine, runCommand } from '../processes/runCommand.ts';
import { stackLimits } from '../stackLimits.ts';
import { waitUntil } from '../supervisor/waitFor.ts';

/**
 * Redis runs as the machine's own service. Like Postgres, the stack starts it only when it is
 * down (a throwaway, unpersisted instance: Redis holds only conveniences here) and stops it on the
 * way out only if it started it. Talks RESP over a socket: a PING needs no client library.
 */
export interface RedisHandle {
  /** Port of the instance we started; undefined when it was already running. */
  readonly startedPort: number | undefined;
}

export async function ensureRedis(
  redisUrl: string,
  stackDir: string,
  reporter: Reporter,
): Promise<RedisHandle> {
  const { host, port } = parseRedisUrl(redisUrl);
  const target = `${host}:${port}`;
  const first = await redisCommand(host, port, ['PING']);
  if (first.ok) {
    reporter.line('redis', `running at ${target}`);
    return { startedPort: undefined };
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw failures.redisUnreachable(
      target,
      first.reply,
      `${host} is not this machine, nothing to start`,
    );
  }
  const startDetail = await startRedis(port, stackDir);
  const outcome = await waitUntil(async () => (await redisCommand(host, port, ['PING'])).ok, {
    timeoutMs: stackLimits.localServiceStartTimeoutMs,
  });
  if (outcome.kind !== 'ok') throw failures.redisUnreachable(target, first.reply, startDetail);
  reporter.line('redis', `was down: started it at ${target} (not persisted)`);
  return { startedPort: port };
}

export async function stopRedis(redisUrl: string, reporter: Reporter): Promise<void> {
  const { host, port } = parseRedisUrl(redisUrl);
  // SHUTDOWN closes the connection instead of answering: no reply is the success case.
  await redisCommand(host, port, ['SHUTDOWN', 'NOSAVE']);
  reporter.line('redis', `stopped ${host}:${port} (we started it)`);
}

async function startRedis(port: number, stackDir: string): Promise<string> {
  // The Debian package's folders when present, else our own (a machine without the package).
  const dataDir = existsSync('/var/lib/redis') ? '/var/lib/redis' : join(stackDir, 'redis');
  const logFile = existsSync('/var/log/redis')
    ? '/var/log/redis/ci.log'
    : join(stackDir, 'logs', 'redis.log');
  await mkdir(dataDir, { recursive: true });
  const args = [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dataDir,
    '--logfile',
    logFile,
  ];
  try {
    const result = await runCommand('redis-server', args);
    return result.code === 0
      ? 'started, but it does not answer'
      : `redis-server: ${lastLine(result.output) || 'failed'}`;
  } catch (error) {
    if (error instanceof CommandNotFound)
      return 'redis-server is not installed (apt-get install redis-server)';
    throw error;
  }
}

export function parseRedisUrl(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    host: host === '' ? '127.0.0.1' : host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
  };
}

/** Sends one command; `ok` when the first reply is not an error (NOAUTH still proves it is up). */
export function redisCommand(
  host: string,
  port: number,
  command: readonly string[],
): Promise<{ ok: boolean; reply: string }> {
  const payload =
    `*${command.length}\r\n` +
    command.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean, reply: string) => {
      socket.destroy();
      resolve({ ok, reply });
    };
    socket.setTimeout(stackLimits.probeTimeoutMs, () => done(false, 'timed out'));
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (data) => {
      const reply = data.toString('utf8').trim();
      done(!reply.startsWith('-') || reply.startsWith('-NOAUTH'), reply);
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(false, error.code ?? error.message),
    );
    socket.once('end', () => done(false, 'connection closed'));
  });
}
