import { clientLimits } from '../benchProfile.ts';
import { startBaseline } from '../baselines/baselineProcess.ts';
import { forEachConcurrently, requestJson } from '../load/httpJson.ts';
import { describeLoad, runLoad, type LoadResult } from '../load/loadRun.ts';
import { runWrkReads, wrkAvailable } from '../load/wrkRun.ts';
import { seededRandom, type AccountSet } from '../load/workload.ts';
import type { BenchContext } from './benchContext.ts';
import { queryApiServesBalances } from './queryApiProbe.ts';

/**
 * Balance reads, three servers, one client: (a) bare node:http constant, (b) DB-only node:http +
 * Postgres, (c) query-api's cached route (when it exists). Same client (wrk when installed, else
 * autocannon), connections, duration and uniformly random account paths, run back to back so the
 * ratios share the machine's weather.
 */
export interface ReadResults {
  readonly bare: LoadResult;
  readonly dbOnly: LoadResult;
  readonly dbOnlyDetail: string;
  readonly cached: LoadResult | undefined;
  /** Why cached reads were not measured, when they were not. */
  readonly cachedNotMeasured: string | undefined;
}

/** Cache warm-up requests in flight. */
const warmConcurrency = 32;

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
    const shared = {
      name,
      url,
      connections: clientLimits.connections,
      durationSeconds: context.profile.readSeconds,
    };
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
    end();
    context.loads.push(result);
    console.log(`  ${describeLoad(result)}`);
    return result;
  };

  const bareServer = await startBaseline({
    kind: 'bare',
    repoRoot: context.repoRoot,
    logsDir: context.logsDir,
  });
  const bare = await read('reads: bare node:http constant', bareServer.url).finally(() =>
    bareServer.stop(),
  );

  const dbServer = await startBaseline({
    kind: 'db-read',
    repoRoot: context.repoRoot,
    logsDir: context.logsDir,
    schema: context.ledgerSchema,
  });
  const dbOnly = await read('reads: DB-only node:http + Postgres', dbServer.url).finally(() =>
    dbServer.stop(),
  );

  const queryApi = context.stack.urls['query-api'];
  const cachedNotMeasured = await queryApiServesBalances(queryApi, set.accountId(0));
  let cached: LoadResult | undefined;
  if (cachedNotMeasured === undefined) {
    console.log(`  warming query-api's cache with the ${set.size} accounts of ${set.name}`);
    await forEachConcurrently(set.size, warmConcurrency, async (index) => {
      await requestJson('GET', `${queryApi}/v1/accounts/${set.accountId(index)}/balance`);
    });
    cached = await read('reads: query-api cached balance', queryApi);
  } else {
    console.log(`  cached reads not measured yet: ${cachedNotMeasured}`);
  }
  return { bare, dbOnly, dbOnlyDetail: dbServer.detail, cached, cachedNotMeasured };
}
