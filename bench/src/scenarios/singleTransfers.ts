import { describeLoad, runLoad, type LoadResult } from '../load/loadRun.ts';
import { hashString, transferSource, type AccountSet } from '../load/workload.ts';
import { startCpuWindow, type CpuBudget } from '../metrics/machineCpu.ts';
import { formatMicros } from '../report/stats.ts';
import { acceptedSingle, type BenchContext } from './benchContext.ts';
import { waitApplied } from './drain.ts';

/**
 * `POST /v1/transfers`, one transfer a request, against the ledger's command API or the naive
 * baseline, with the same client, connections, duration and workload. For both, applied/s is
 * transfers applied ÷ seconds from the first request until the last one was applied: the naive
 * design applies before it answers (201); the ledger answers 202 and applies from Kafka, so its
 * clock runs until the processor has decided and published every accepted transfer. `cpu`: every
 * process's CPU over that same stretch, per transfer applied, counted for the system under test
 * (machineCpu.ts, cpuGroups.ts); undefined where /proc cannot be read.
 */
export interface SingleRun {
  readonly target: 'ledger' | 'naive';
  readonly tag: string;
  readonly http: LoadResult;
  /** Ledger: 202 accepted; naive: 201 applied. */
  readonly acceptedOrApplied: number;
  readonly appliedPerSecond: number | undefined;
  readonly drainSeconds: number | undefined;
  readonly cpu: CpuBudget | undefined;
}

export async function runSingleTransfers(
  context: BenchContext,
  options: {
    name: string;
    tagSuffix: string;
    target: 'ledger' | 'naive';
    url: string;
    set: AccountSet;
    connections: number;
    seconds: number;
  },
): Promise<SingleRun> {
  const tag = `${context.runTag}${options.tagSuffix}`;
  const source = transferSource({
    set: options.set,
    distribution: 'uniform',
    seed: (context.seed ^ hashString(tag)) >>> 0,
    tag,
  });
  let naiveApplied = 0;
  const cpuWindow = await startCpuWindow(options.target);
  const end = context.timeline.phase(options.name);
  const http = await runLoad({
    name: options.name,
    url: options.url,
    connections: options.connections,
    durationSeconds: options.seconds,
    method: 'POST',
    path: () => '/v1/transfers',
    body: () => source.next(),
    onTick: (count) => context.timeline.noteHttp(count),
    onResponse: (status, body) => {
      if (options.target === 'naive') {
        if (status === 201) naiveApplied += 1;
        return;
      }
      if (status !== 202) return;
      const commandId = acceptedSingle(body);
      if (commandId === undefined) return;
      context.accepted.add(tag, [commandId]);
      context.timeline.noteAccepted(1);
    },
  });
  end();
  context.loads.push(http);
  console.log(`  ${describeLoad(http)}`);
  if (options.target === 'naive') {
    const cpu = await cpuWindow.finish(naiveApplied);
    console.log(
      `    CPU ${formatMicros(cpu?.microsPerTransfer)} per applied transfer, all processes`,
    );
    return {
      target: 'naive',
      tag,
      http,
      acceptedOrApplied: naiveApplied,
      appliedPerSecond: naiveApplied / ((http.finishedAtMs - http.startedAtMs) / 1_000),
      drainSeconds: 0,
      cpu,
    };
  }
  const accepted = context.accepted.count(tag);
  const endDrain = context.timeline.phase(`${options.name} (drain)`);
  const drained = await waitApplied(context, tag, accepted);
  const cpu = await cpuWindow.finish(drained.decided);
  endDrain();
  const appliedPerSecond =
    drained.appliedAtMs === undefined
      ? undefined
      : accepted / ((drained.appliedAtMs - http.startedAtMs) / 1_000);
  console.log(
    `    ${accepted} accepted; applied end to end ${appliedPerSecond === undefined ? 'NOT drained in time' : `${Math.round(appliedPerSecond)}/s`}` +
      `; CPU ${formatMicros(cpu?.microsPerTransfer)} per transfer, all processes`,
  );
  return {
    target: 'ledger',
    tag,
    http,
    acceptedOrApplied: accepted,
    appliedPerSecond,
    drainSeconds:
      drained.appliedAtMs === undefined
        ? undefined
        : (drained.appliedAtMs - http.finishedAtMs) / 1_000,
    cpu,
  };
}
