import { clientLimits } from '../benchProfile.ts';
import { describeLoad, runLoad, type LoadResult } from '../load/loadRun.ts';
import {
  hashString,
  transferSource,
  type AccountSet,
  type Distribution,
} from '../load/workload.ts';
import { acceptedBatchItems, type BenchContext } from './benchContext.ts';
import { decidedWithTag, waitApplied } from './drain.ts';

/**
 * Transfers through `POST /v1/transfers/batch` (1000 items a request) for a fixed time, then the
 * wait until every accepted one is decided and published. Two rates come out:
 * - `appliedPerSecond`: accepted ÷ seconds from the first request until the last was applied
 *   (decided in Postgres and the outbox empty): what the system sustains end to end;
 * - `decidedInWindowPerSecond`: decided while the load ran ÷ load seconds (no drain tail).
 */
export interface BatchRun {
  readonly tag: string;
  readonly set: string;
  readonly accounts: number;
  readonly distribution: Distribution;
  readonly http: LoadResult;
  readonly accepted: number;
  readonly invalidItems: number;
  readonly decidedInWindowPerSecond: number;
  readonly appliedPerSecond: number | undefined;
  readonly drainSeconds: number | undefined;
  readonly decidedAtEnd: number;
}

export async function runBatchTransfers(
  context: BenchContext,
  options: {
    name: string;
    tagSuffix: string;
    set: AccountSet;
    distribution: Distribution;
    seconds: number;
    itemsPerRequest?: number;
    /** Requests per second (all connections); unbounded when absent. */
    requestRate?: number;
  },
): Promise<BatchRun> {
  const tag = `${context.runTag}${options.tagSuffix}`;
  const source = transferSource({
    set: options.set,
    distribution: options.distribution,
    seed: (context.seed ^ hashString(tag)) >>> 0,
    tag,
  });
  const items = options.itemsPerRequest ?? clientLimits.batchItems;
  let invalidItems = 0;
  const end = context.timeline.phase(options.name);
  const http = await runLoad({
    name: options.name,
    url: context.stack.urls['command-api'],
    connections: clientLimits.batchConnections,
    durationSeconds: options.seconds,
    method: 'POST',
    path: () => '/v1/transfers/batch',
    body: () => source.batch(items),
    ...(options.requestRate === undefined ? {} : { overallRate: options.requestRate }),
    onTick: (count) => context.timeline.noteHttp(count),
    onResponse: (status, body) => {
      if (status !== 202) return;
      const ids = acceptedBatchItems(body);
      invalidItems += items - ids.length;
      context.accepted.add(tag, ids);
      context.timeline.noteAccepted(ids.length);
    },
  });
  const decidedInWindow = await decidedWithTag(context, tag);
  end();
  context.loads.push(http);
  const accepted = context.accepted.count(tag);
  console.log(
    `  ${describeLoad(http)}; ${accepted} transfers accepted, ${decidedInWindow} decided by the end`,
  );
  const endDrain = context.timeline.phase(`${options.name} (drain)`);
  const drained = await waitApplied(context, tag, accepted);
  endDrain();
  const appliedSeconds =
    drained.appliedAtMs === undefined
      ? undefined
      : (drained.appliedAtMs - http.startedAtMs) / 1_000;
  const run: BatchRun = {
    tag,
    set: options.set.name,
    accounts: options.set.size,
    distribution: options.distribution,
    http,
    accepted,
    invalidItems,
    decidedInWindowPerSecond: decidedInWindow / http.durationSeconds,
    appliedPerSecond: appliedSeconds === undefined ? undefined : accepted / appliedSeconds,
    drainSeconds:
      drained.appliedAtMs === undefined
        ? undefined
        : (drained.appliedAtMs - http.finishedAtMs) / 1_000,
    decidedAtEnd: drained.decided,
  };
  console.log(
    `    applied end to end: ${run.appliedPerSecond === undefined ? 'NOT drained in time' : `${Math.round(run.appliedPerSecond)}/s`}` +
      ` (decided during load ${Math.round(run.decidedInWindowPerSecond)}/s, drain ${run.drainSeconds?.toFixed(1) ?? '?'} s)`,
  );
  return run;
}
