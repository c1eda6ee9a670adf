import { clientLimits } from '../benchProfile.ts';
import { formatMicros, formatRatio, ratio } from '../report/stats.ts';
import { startBaseline } from '../baselines/baselineProcess.ts';
import { forEachConcurrently, requestJson } from '../load/httpJson.ts';
import { describeLoad, runLoad, type LoadResult } from '../load/loadRun.ts';
import { runWrkReads, wrkAvailable } from '../load/wrkRun.ts';
import {
  cpuMicrosPerResponse,
  metricsCpuSeconds,
  procCpuSeconds,
  type CpuReading,
} from '../metrics/processCpu.ts';
import { seededRandom, type AccountSet } from '../load/workload.ts';
import type { BenchContext } from './benchContext.ts';
import { queryApiServesBalances } from './queryApiProbe.ts';

/**
 * Balance reads, three servers, one client: (a) bare node:http constant, (b) DB-only node:http +
 * Postgres, (c) query-api's cached route (when it exists). Same client (wrk when installed, else
 * autocannon), connections, duration and uniformly random account paths.
 *
 * The three run in `readRounds` interleaved rounds (a, b, c, a, b, c, …). On a shared 2-core
 * machine the load drifts by tens of percent within a minute (seen here: the bare server alone at
 * 24k and 43k req/s in one quick run); run back to back once, such a drift lands on one server
 * only and moves the ratios by as much. The report's ratios are the medians of the per-round
 * ratios (each from three runs seconds apart), shown with every round's value; each server's
 * requests/s is its median run. Around the bare and cached runs the server's CPU time is read
 * too (metrics/processCpu.ts): CPU per request, a diagnosis beside the ratios.
 */
export interface ReadResults {
  /** Each server's median round (by requests/s). */
  readonly bare: LoadResult;
  readonly dbOnly: LoadResult;
  readonly dbOnlyDetail: string;
  readonly cached: LoadResult | undefined;
  /** Requests/s of every round, in order. */
  readonly rounds: readonly ReadRound[];
  /** Why cached reads were not measured, when they were not. */
  readonly cachedNotMeasured: string | undefined;
}

export interface ReadRound {
  readonly bare: number;
  readonly dbOnly: number;
  readonly cached: number | undefined;
  /** Server CPU microseconds per response, when the readings could be taken. */
  readonly bareCpuMicros: number | undefined;
  readonly cachedCpuMicros: number | undefined;
}

/** Cache warm-up requests in flight. */
const warmConcurrency = 32;
/** Untimed reads per server before the measured rounds. */
export const readWarmupSeconds = 3;

export async function runReadScenarios(
  context: BenchContext,
  set: AccountSet,
): Promise<ReadResults> {
  const random = seededRandom(context.seed + 1);
  const path = () => `/v1/accounts/${set.accountId(Math.floor(random() * set.size))}/balance`;
  const useWrk = wrkAvailable();
  if (!useWrk) {
    console.log(
      '  wrk not found (Debian: apt-get install -y wrk): reads use autocannon, which tops out near the bare server here and caps the read ratios',
    );
  }
  const read = async (name: string, url: string): Promise<LoadResult> => {
    const end = context.timeline.phase(name);
    const result = await runReadClient(name, url, context.profile.readSeconds);
    end();
    context.loads.push(result);
    console.log(`  ${describeLoad(result)}`);
    return result;
  };
  const runReadClient = async (
    name: string,
    url: string,
    durationSeconds: number,
  ): Promise<LoadResult> => {
    const shared = { name, url, connections: clientLimits.connections, durationSeconds };
    const result = useWrk
      ? await runWrkReads({
          ...shared,
          accountPrefix: `${set.name}-`,
          accounts: set.size,
          seed: context.seed,
        })
      : await runLoad({
          ...shared,
          method: 'GET',
          path,
          onTick: (count) => context.timeline.noteHttp(count),
        });
    if (useWrk)
      context.timeline.backfillHttp(
        result.startedAtMs,
        result.finishedAtMs,
        result.requestsPerSecond,
      );
    return result;
  };
  /** A read run with the server's CPU time taken before and after it. */
  const readWithCpu = async (name: string, url: string, cpu: CpuReading) => {
    const before = await cpu();
    const result = await read(name, url);
    return { result, cpuMicros: cpuMicrosPerResponse(before, await cpu(), result.responses) };
  };

  const bareServer = await startBaseline({
    kind: 'bare',
    repoRoot: context.repoRoot,
    logsDir: context.logsDir,
  });
  try {
    const dbServer = await startBaseline({
      kind: 'db-read',
      repoRoot: context.repoRoot,
      logsDir: context.logsDir,
      schema: context.ledgerSchema,
    });
    try {
      const queryApi = context.stack.urls['query-api'];
      const cachedNotMeasured = await queryApiServesBalances(queryApi, set.accountId(0));
      if (cachedNotMeasured === undefined) {
        console.log(`  warming query-api's cache with the ${set.size} accounts of ${set.name}`);
        await forEachConcurrently(set.size, warmConcurrency, async (index) => {
          await requestJson('GET', `${queryApi}/v1/accounts/${set.accountId(index)}/balance`);
        });
      } else {
        console.log(`  cached reads not measured yet: ${cachedNotMeasured}`);
      }
      // Untimed, so that round 1 does not alone pay for V8 optimizing each server's hot path
      // (the cache warm-up above ran only the miss path). Seen before: cached CPU per request
      // 48.5, 41.0, 38.3 µs over three rounds, bare 32.7, 26.8, 29.4 µs.
      const warmed = [
        bareServer.url,
        dbServer.url,
        ...(cachedNotMeasured === undefined ? [queryApi] : []),
      ];
      console.log(`  warming up each server with ${readWarmupSeconds} s of reads, not measured`);
      for (const url of warmed) await runReadClient('reads: warm-up', url, readWarmupSeconds);
      const loads: { bare: LoadResult; dbOnly: LoadResult; cached: LoadResult | undefined }[] = [];
      const roundFigures: ReadRound[] = [];
      const bareCpu = procCpuSeconds(bareServer.child.pid);
      const queryApiCpu = metricsCpuSeconds(queryApi);
      const rounds = context.profile.readRounds;
      if (rounds < 1 || rounds % 2 === 0) throw new Error(`readRounds must be odd, got ${rounds}`);
      for (let round = 1; round <= rounds; round += 1) {
        const of = `round ${round}/${rounds}`;
        const bareRun = await readWithCpu(
          `reads: bare node:http constant, ${of}`,
          bareServer.url,
          bareCpu,
        );
        const bare = bareRun.result;
        const dbOnly = await read(`reads: DB-only node:http + Postgres, ${of}`, dbServer.url);
        const cachedRun =
          cachedNotMeasured === undefined
            ? await readWithCpu(`reads: query-api cached balance, ${of}`, queryApi, queryApiCpu)
            : undefined;
        const cached = cachedRun?.result;
        loads.push({ bare, dbOnly, cached });
        roundFigures.push({
          bare: bare.requestsPerSecond,
          dbOnly: dbOnly.requestsPerSecond,
          cached: cached?.requestsPerSecond,
          bareCpuMicros: bareRun.cpuMicros,
          cachedCpuMicros: cachedRun?.cpuMicros,
        });
        if (cached !== undefined) {
          const versus = (other: LoadResult) =>
            formatRatio(ratio(cached.requestsPerSecond, other.requestsPerSecond));
          console.log(
            `  ${of}: cached ÷ bare ${versus(bare)}, cached ÷ DB-only ${versus(dbOnly)}; ` +
              `server CPU per request: bare ${formatMicros(bareRun.cpuMicros)}, ` +
              `cached ${formatMicros(cachedRun?.cpuMicros)}`,
          );
        }
      }
      const cachedLoads = loads.flatMap((load) => (load.cached === undefined ? [] : [load.cached]));
      return {
        bare: medianLoad(loads.map((load) => load.bare)),
        dbOnly: medianLoad(loads.map((load) => load.dbOnly)),
        dbOnlyDetail: dbServer.detail,
        cached: cachedLoads.length === 0 ? undefined : medianLoad(cachedLoads),
        rounds: roundFigures,
        cachedNotMeasured,
      };
    } finally {
      await dbServer.stop();
    }
  } finally {
    await bareServer.stop();
  }
}

/** The run with the median requests/s (an odd number of rounds: one real run, not an average). */
export function medianLoad(loads: readonly LoadResult[]): LoadResult {
  const sorted = [...loads].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('no read rounds ran');
  return median;
}
