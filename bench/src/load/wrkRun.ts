import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clientLimits } from '../benchProfile.ts';
import { assertLoadTarget, type LoadResult } from './loadRun.ts';

/**
 * The read scenarios through wrk (C, epoll) when it is installed: the reference numbers
 * (docs/architecture.md "Performance targets") are wrk's (1 thread, 100 connections), and
 * autocannon — one Node process on the same 2 cores — tops out near the bare server's rate, which
 * would cap every read ratio at ~1×.
 * Debian: `apt-get install -y wrk`. Without it the driver says so and uses autocannon.
 */
const script = fileURLToPath(new URL('./randomBalance.lua', import.meta.url));
/** wrk's own run ends at -d; this is only the guard against a wedged process. */
const wrkGraceMs = 30_000;

export function wrkAvailable(): boolean {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && `${probe.stdout}${probe.stderr}`.includes('wrk');
}

export async function runWrkReads(options: {
  name: string;
  url: string;
  connections: number;
  durationSeconds: number;
  accountPrefix: string;
  accounts: number;
  seed: number;
}): Promise<LoadResult> {
  assertLoadTarget(options.url, options.durationSeconds);
  const startedAtMs = Date.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      'wrk',
      [
        '-t1',
        `-c${options.connections}`,
        `-d${options.durationSeconds}s`,
        `--timeout`,
        `${clientLimits.requestTimeoutSeconds}s`,
        '-s',
        script,
        options.url,
      ],
      {
        env: {
          ...process.env,
          BENCH_ACCOUNTS: String(options.accounts),
          BENCH_ACCOUNT_PREFIX: options.accountPrefix,
          BENCH_SEED: String(options.seed),
        },
        timeout: options.durationSeconds * 1_000 + wrkGraceMs,
      },
      (error, out, err) =>
        error ? reject(new Error(`wrk failed: ${error.message} ${err}`)) : resolve(out),
    );
  });
  const finishedAtMs = Date.now();
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
  if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, number>;
  const n = (key: string) => s[key] ?? 0;
  const seconds = n('durationUs') / 1e6;
  const ms = (key: string) => Math.round(n(key) / 10) / 100;
  const errors = n('connect') + n('read') + n('write') + n('timeout');
  return {
    name: options.name,
    tool: 'wrk',
    connections: options.connections,
    durationSeconds: seconds,
    startedAtMs,
    finishedAtMs,
    responses: n('requests'),
    requestsPerSecond: n('requests') / seconds,
    latencyMs: {
      mean: ms('meanUs'),
      p50: ms('p50Us'),
      p90: ms('p90Us'),
      p99: ms('p99Us'),
      p99_9: ms('p999Us'),
      max: ms('maxUs'),
    },
    status2xx: n('requests') - n('status'),
    non2xx: n('status'),
    statusCounts: { '2xx/3xx': n('requests') - n('status'), other: n('status') },
    errors,
    timeouts: n('timeout'),
    perSecond: [],
  };
}
