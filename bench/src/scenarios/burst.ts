import { clientLimits } from '../benchProfile.ts';
import { describeLoad, runLoad, type LoadResult } from '../load/loadRun.ts';
import { seededRandom, type AccountSet } from '../load/workload.ts';
import type { BenchContext } from './benchContext.ts';
import { queryApiServesBalances } from './queryApiProbe.ts';
import { runSingleTransfers, type SingleRun } from './singleTransfers.ts';

/**
 * The burst target: 1000 concurrent keep-alive clients on both APIs, and the naive design under
 * the same burst. An error is anything that is not 2xx (a 429 or 503 included: the figure asks
 * for zero) or a connection error; a timeout is a request unanswered after the client timeout.
 */
export interface BurstResults {
  readonly commandApi: SingleRun;
  readonly queryApi: LoadResult | undefined;
  readonly queryApiNotMeasured: string | undefined;
  readonly naive: SingleRun;
}

export async function runBurst(
  context: BenchContext,
  set: AccountSet,
  naiveUrl: string,
): Promise<BurstResults> {
  const seconds = context.profile.burstSeconds;
  const connections = clientLimits.burstConnections;
  const commandApi = await runSingleTransfers(context, {
    name: `burst: command API, ${connections} clients`,
    tagSuffix: 'b',
    target: 'ledger',
    url: context.stack.urls['command-api'],
    set,
    connections,
    seconds,
  });
  const queryApiUrl = context.stack.urls['query-api'];
  const queryApiNotMeasured = await queryApiServesBalances(queryApiUrl, set.accountId(0));
  let queryApi: LoadResult | undefined;
  if (queryApiNotMeasured === undefined) {
    const random = seededRandom(context.seed + 3);
    const end = context.timeline.phase(`burst: query API, ${connections} clients`);
    queryApi = await runLoad({
      name: `burst: query API, ${connections} clients`,
      url: queryApiUrl,
      connections,
      durationSeconds: seconds,
      method: 'GET',
      path: () => `/v1/accounts/${set.accountId(Math.floor(random() * set.size))}/balance`,
      onTick: (count) => context.timeline.noteHttp(count),
    });
    end();
    context.loads.push(queryApi);
    console.log(`  ${describeLoad(queryApi)}`);
  } else {
    console.log(`  query API burst not measured yet: ${queryApiNotMeasured}`);
  }
  const naive = await runSingleTransfers(context, {
    name: `burst: naive design, ${connections} clients`,
    tagSuffix: 'nb',
    target: 'naive',
    url: naiveUrl,
    set,
    connections,
    seconds,
  });
  return { commandApi, queryApi, queryApiNotMeasured, naive };
}

/** Errors as the figure counts them: connection errors (timeouts included) plus non-2xx. */
export function burstErrors(result: LoadResult): number {
  return result.errors + result.non2xx;
}
