import autocannon from 'autocannon';
import { clientLimits } from '../benchProfile.ts';

/**
 * One bounded autocannon run against 127.0.0.1, summarised. Every scenario goes through here so
 * all of them use the same client, the same timeout and the same way of counting errors.
 */
export interface LoadOptions {
  readonly name: string;
  /** Base URL; must be on the loopback interface (no load ever leaves this machine). */
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly method: 'GET' | 'POST';
  /** A fresh path per request (e.g. another account); the base URL's path otherwise. */
  readonly path?: () => string;
  /** A fresh JSON body per request. */
  readonly body?: () => string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Requests per second over all connections; unbounded when absent. */
  readonly overallRate?: number;
  /** Sees each response; only set when needed (autocannon then keeps response bodies). */
  readonly onResponse?: (status: number, body: string, headers: Record<string, unknown>) => void;
  /** Called once a second with that second's responses. */
  readonly onTick?: (responses: number) => void;
}

export interface LatencySummary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p99_9: number;
  readonly max: number;
}

export interface LoadResult {
  readonly name: string;
  /** Which client produced it (reads use wrk when installed). */
  readonly tool: 'autocannon' | 'wrk' | 'node http (paced)';
  readonly connections: number;
  readonly durationSeconds: number;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly responses: number;
  readonly requestsPerSecond: number;
  /** Milliseconds, 2xx responses only (autocannon's default, so errors cannot flatter it). */
  readonly latencyMs: LatencySummary;
  readonly status2xx: number;
  readonly non2xx: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly perSecond: readonly number[];
}

const loopback = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;
/** No single run may go on longer than this, whatever a profile says. */
export const loadSecondsMax = 300;

/** Every load client (autocannon, wrk, the paced client) checks its target here first. */
export function assertLoadTarget(url: string, durationSeconds: number): void {
  if (!loopback.test(url)) throw new Error(`refusing to load ${url}: not loopback`);
  if (durationSeconds <= 0 || durationSeconds > loadSecondsMax) {
    throw new Error(`duration ${durationSeconds} s is outside (0, ${loadSecondsMax}]`);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  assertLoadTarget(options.url, options.durationSeconds);
  const perSecond: number[] = [];
  const { path, body, onResponse } = options;
  const dynamic = path !== undefined || body !== undefined;
  const request: autocannon.Request = {
    method: options.method,
    ...(dynamic
      ? {
          setupRequest: (base: autocannon.Request) => ({
            ...base,
            ...(path === undefined ? {} : { path: path() }),
            ...(body === undefined ? {} : { body: body() }),
          }),
        }
      : {}),
    ...(onResponse === undefined
      ? {}
      : {
          onResponse: (status: number, responseBody: string, _context: object, headers: unknown) =>
            onResponse(status, responseBody, (headers ?? {}) as Record<string, unknown>),
        }),
  };
  const startedAtMs = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: clientLimits.requestTimeoutSeconds,
        method: options.method,
        headers: { 'content-type': 'application/json', ...options.headers },
        requests: [request],
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
      },
      (error: unknown, finished: autocannon.Result) => {
        if (error) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        else resolve(finished);
      },
    );
    // The typings declare 'tick' without its argument; autocannon passes { counter, bytes }.
    (instance as unknown as NodeJS.EventEmitter).on('tick', (tick: { counter: number }) => {
      perSecond.push(tick.counter);
      options.onTick?.(tick.counter);
    });
  });
  const finishedAtMs = Date.now();
  const statusCounts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[code] = stat.count ?? 0;
  }
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    name: options.name,
    tool: 'autocannon',
    connections: options.connections,
    durationSeconds: result.duration,
    startedAtMs,
    finishedAtMs,
    responses,
    requestsPerSecond: responses / result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      p99_9: result.latency.p99_9,
      max: result.latency.max,
    },
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    perSecond,
  };
}

/** One line for the progress output. */
export function describeLoad(result: LoadResult): string {
  const codes = Object.entries(result.statusCounts)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  return (
    `${result.name}: ${Math.round(result.requestsPerSecond)} req/s, ` +
    `p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms, ` +
    `${codes || 'no responses'}, errors ${result.errors} (timeouts ${result.timeouts})`
  );
}
