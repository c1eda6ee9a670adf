import { clientLimits } from '../benchProfile.ts';
import { describeLoad, type LoadResult } from '../load/loadRun.ts';
import { runPaced } from '../load/pacedClient.ts';
import { startCpuWindow, type CpuBudget } from '../metrics/machineCpu.ts';
import { fetchMetrics, metricSum } from '../metrics/promText.ts';
import { formatMicros } from '../report/stats.ts';
import {
  hashString,
  transferSource,
  type AccountSet,
  type Distribution,
} from '../load/workload.ts';
import { acceptedBatchItems, type BenchContext } from './benchContext.ts';
import { decidedWithTag, waitApplied } from './drain.ts';

/**
 * Transfers through `POST /v1/transfers/batch` (1000 items a request) for a fixed time, held
 * back whenever more than `clientLimits.backlogMax` accepted transfers wait to be applied (see
 * pacedClient.ts), then the wait until every accepted one is decided and published. Two rates:
 * - `appliedPerSecond`: accepted ÷ seconds from the first request until the last was applied
 *   (decided in Postgres and the outbox empty): what the system sustains end to end;
 * - `decidedInWindowPerSecond`: decided while the load ran ÷ load seconds (no drain tail).
 * `cpu`: every process's CPU from just before the load until the drain, per transfer decided
 * (machineCpu.ts); undefined where /proc cannot be read.
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
  readonly cpu: CpuBudget | undefined;
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
  const decided = processorDecided(context.stack.urls['ledger-processor']);
  await decided.start();
  const cpuWindow = await startCpuWindow('ledger');
  const end = context.timeline.phase(options.name);
  const http = await runPaced({
    name: options.name,
    url: context.stack.urls['command-api'],
    path: '/v1/transfers/batch',
    connections: clientLimits.batchConnections,
    durationSeconds: options.seconds,
    body: () => source.batch(items),
    backlog: () => context.accepted.count(tag) - decided.sinceStart(),
    // About two seconds of what the ledger is applying now, within [backlogMin, backlogMax].
    backlogMax: () =>
      Math.min(
        clientLimits.backlogMax,
        Math.max(clientLimits.backlogMin, backlogSeconds * decided.perSecond()),
      ),
    ...(options.requestRate === undefined ? {} : { requestsPerSecond: options.requestRate }),
    onTick: (count) => context.timeline.noteHttp(count),
    onResponse: (status, body) => {
      if (status !== 202) return;
      const ids = acceptedBatchItems(body);
      invalidItems += items - ids.length;
      context.accepted.add(tag, ids);
      context.timeline.noteAccepted(ids.length);
    },
  }).finally(() => decided.stop());
  const decidedInWindow = await decidedWithTag(context, tag);
  end();
  context.loads.push(http);
  const accepted = context.accepted.count(tag);
  console.log(
    `  ${describeLoad(http)}; ${accepted} transfers accepted, ${decidedInWindow} decided by the end`,
  );
  const endDrain = context.timeline.phase(`${options.name} (drain)`);
  const drained = await waitApplied(context, tag, accepted);
  // Where applied is measured: the drain's end (or its timeout, with what was decided by then).
  const cpu = await cpuWindow.finish(drained.decided);
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
    cpu,
  };
  console.log(
    `    applied end to end: ${run.appliedPerSecond === undefined ? 'NOT drained in time' : `${Math.round(run.appliedPerSecond)}/s`}` +
      ` (decided during load ${Math.round(run.decidedInWindowPerSecond)}/s, drain ${run.drainSeconds?.toFixed(1) ?? '?'} s;` +
      ` CPU ${formatMicros(cpu?.microsPerTransfer)} per transfer, all processes)`,
  );
  return run;
}

/** Polling interval of the processor's decided counter, the paced client's backlog signal. */
const decidedPollMs = 250;
/** The decided rate is measured over this window. */
const rateWindowMs = 3_000;
/** The backlog the client allows, in seconds of the current decided rate. */
const backlogSeconds = 2;

/** The processor's decided counter since `start`, refreshed in the background. */
function processorDecided(processorUrl: string) {
  let atStart: number | undefined;
  let latest = 0;
  let timer: NodeJS.Timeout | undefined;
  const history: [number, number][] = [];
  const read = async () => {
    const samples = await fetchMetrics(processorUrl);
    const value = samples && metricSum(samples, 'ledger_processor_commands_decided_total');
    if (value === undefined) return;
    atStart ??= value;
    // A restarted processor starts from 0: count from there rather than go negative.
    if (value < latest) atStart = 0;
    latest = value;
    const nowMs = Date.now();
    history.push([nowMs, value]);
    while ((history[0]?.[0] ?? nowMs) < nowMs - rateWindowMs) history.shift();
  };
  return {
    async start() {
      await read();
      timer = setInterval(() => void read(), decidedPollMs);
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
    },
    sinceStart: () => latest - (atStart ?? latest),
    perSecond: () => {
      const first = history[0];
      const last = history.at(-1);
      if (first === undefined || last === undefined || last[0] === first[0]) return 0;
      return Math.max(0, ((last[1] - first[1]) * 1_000) / (last[0] - first[0]));
    },
  };
}
