import { Agent, request } from 'node:http';
import { clientLimits } from '../benchProfile.ts';
import { assertLoadTarget, type LoadResult } from './loadRun.ts';
import { percentile } from '../report/stats.ts';

/**
 * A closed-loop POST client for the transfer runs: `connections` keep-alive workers, each sending
 * its next request only when (a) the backlog the system has not yet applied is under
 * `backlogMax` and (b) the overall rate is under `requestsPerSecond`, if given. An open loop
 * (autocannon) would pile up minutes of backlog at the edge: the edge accepts far faster than the
 * ledger applies, so "applied/s while the load ran" would mean nothing. Held back like this, it
 * is the rate the system sustains.
 */
export interface PacedOptions {
  readonly name: string;
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly body: () => string;
  /** Accepted but not yet applied, as the scenario knows it; checked before every request. */
  readonly backlog?: () => number;
  /** Read before every request: the scenario may adapt it to the rate it observes. */
  readonly backlogMax?: () => number;
  readonly requestsPerSecond?: number;
  readonly onResponse: (status: number, body: string) => void;
  readonly onTick?: (responses: number) => void;
}

/** How long a worker waits before looking at the backlog again. */
const backlogPollMs = 20;

export async function runPaced(options: PacedOptions): Promise<LoadResult> {
  assertLoadTarget(options.url, options.durationSeconds);
  const target = new URL(options.path, options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const startedAtMs = Date.now();
  const endAtMs = startedAtMs + options.durationSeconds * 1_000;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const perSecond: number[] = [];
  let thisSecond = 0;
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  const ticker = setInterval(() => {
    perSecond.push(thisSecond);
    options.onTick?.(thisSecond);
    thisSecond = 0;
  }, 1_000);

  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: clientLimits.requestTimeoutSeconds * 1_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new TimeoutError()));
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const worker = async () => {
    while (Date.now() < endAtMs) {
      const held =
        (options.backlog !== undefined &&
          options.backlogMax !== undefined &&
          options.backlog() >= options.backlogMax()) ||
        (options.requestsPerSecond !== undefined &&
          sent >= ((Date.now() - startedAtMs) / 1_000) * options.requestsPerSecond);
      if (held) {
        await new Promise((resolve) => setTimeout(resolve, backlogPollMs));
        continue;
      }
      sent += 1;
      const body = options.body();
      const beganMs = performance.now();
      try {
        const { status, text } = await post(body);
        statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
        if (status >= 200 && status < 300) latencies.push(performance.now() - beganMs);
        options.onResponse(status, text);
      } catch (error) {
        errors += 1;
        if (error instanceof TimeoutError) timeouts += 1;
      }
      thisSecond += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, worker));
  } finally {
    clearInterval(ticker);
    agent.destroy();
  }
  const finishedAtMs = Date.now();
  const responses = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  const status2xx = Object.entries(statusCounts)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  const seconds = (finishedAtMs - startedAtMs) / 1_000;
  const ms = (p: number) => Math.round((percentile(latencies, p) ?? 0) * 10) / 10;
  return {
    name: options.name,
    tool: 'node http (paced)',
    connections: options.connections,
    durationSeconds: seconds,
    startedAtMs,
    finishedAtMs,
    responses,
    requestsPerSecond: responses / seconds,
    latencyMs: {
      mean: latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length,
      p50: ms(50),
      p90: ms(90),
      p99: ms(99),
      p99_9: ms(99.9),
      max: ms(100),
    },
    status2xx,
    non2xx: responses - status2xx,
    statusCounts,
    errors,
    timeouts,
    perSecond,
  };
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
