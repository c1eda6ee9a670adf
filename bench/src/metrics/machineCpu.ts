import { readdir, readFile } from 'node:fs/promises';
import {
  classifyProcesses,
  countedGroups,
  cpuGroups,
  type CpuGroup,
  type CpuSystem,
  type ProcessIdentity,
} from './cpuGroups.ts';
import { clockTicksPerSecond, parseProcStat } from './processCpu.ts';

/**
 * CPU time of every process on the machine between two snapshots of /proc, by part of the run
 * (cpuGroups.ts), divided by the transfers the window applied: the CPU budget per transfer.
 *
 * A process is one pid with one start time (stat field 22), so a reused pid is a new process.
 * One that started inside the window counts all its ticks. One that exited inside it is gone
 * from /proc: its time is counted only where its parent waited for it, as the parent's cutime +
 * cstime (the postmaster's, for backends and autovacuum workers; the bench's, for wrk). Its
 * ticks from before the window are then taken back off that parent's share.
 */
export interface ProcessSample extends ProcessIdentity {
  readonly startTime: number;
  /** utime + stime, in clock ticks. */
  readonly ownTicks: number;
  /** cutime + cstime: children that exited and were waited for, in clock ticks. */
  readonly childTicks: number;
}

export interface MachineSnapshot {
  readonly atMs: number;
  readonly ticksPerSecond: number;
  /** The bench's own pid: the load generator. */
  readonly selfPid: number;
  readonly processes: readonly ProcessSample[];
  /** Busy ticks of all cores from /proc/stat (user, nice, system, irq, softirq, steal). */
  readonly machineBusyTicks: number | undefined;
}

export interface GroupCpu {
  readonly group: CpuGroup;
  /** Processes seen in either snapshot. */
  readonly processes: number;
  readonly seconds: number;
}

export interface CpuWindow {
  readonly wallSeconds: number;
  /** Every group with a process in it, in cpuGroups order. */
  readonly groups: readonly GroupCpu[];
  /** All cores' busy time from /proc/stat: what the processes above should roughly add up to. */
  readonly machineBusySeconds: number | undefined;
  readonly appeared: number;
  readonly vanished: number;
}

export interface CpuBudget extends CpuWindow {
  readonly system: CpuSystem;
  /** The divisor: transfers the window applied (decided in Postgres; the naive design's 201s). */
  readonly transfers: number;
  readonly countedSeconds: number;
  /** countedSeconds per transfer in µs; undefined without transfers. */
  readonly microsPerTransfer: number | undefined;
}

const procRoot = '/proc';
/** /proc/stat's `cpu` line: user nice system idle iowait irq softirq steal (guest is in user). */
const busyColumns = [0, 1, 2, 5, 6, 7] as const;

/** Every process now, or undefined where /proc cannot tell (not Linux). */
export async function takeMachineSnapshot(): Promise<MachineSnapshot | undefined> {
  try {
    const [names, ticksPerSecond, machineBusyTicks] = await Promise.all([
      readdir(procRoot),
      clockTicksPerSecond(),
      readMachineBusyTicks(),
    ]);
    const pids = names.filter((name) => /^\d+$/.test(name));
    const samples = await Promise.all(pids.map(readProcess));
    return {
      atMs: Date.now(),
      ticksPerSecond,
      selfPid: process.pid,
      processes: samples.filter((sample) => sample !== undefined),
      machineBusyTicks,
    };
  } catch {
    return undefined;
  }
}

/** One process, or undefined when it exited between the directory listing and the reads. */
async function readProcess(pid: string): Promise<ProcessSample | undefined> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`${procRoot}/${pid}/stat`, 'utf8'),
      readFile(`${procRoot}/${pid}/cmdline`, 'utf8'),
    ]);
    const parsed = parseProcStat(stat);
    return {
      pid: parsed.pid,
      ppid: parsed.ppid,
      comm: parsed.comm,
      cmdline: cmdline.replaceAll('\0', ' ').trim(),
      startTime: parsed.startTime,
      ownTicks: parsed.utime + parsed.stime,
      childTicks: parsed.cutime + parsed.cstime,
    };
  } catch {
    return undefined;
  }
}

async function readMachineBusyTicks(): Promise<number | undefined> {
  const text = await readFile(`${procRoot}/stat`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : machineBusyTicksOf(text);
}

/** Busy ticks summed over all cores from /proc/stat's first line. */
export function machineBusyTicksOf(procStat: string): number | undefined {
  const first = procStat.split('\n', 1)[0] ?? '';
  if (!first.startsWith('cpu ')) return undefined;
  const columns = first.trim().split(/\s+/).slice(1).map(Number);
  const busy = busyColumns.map((column) => columns[column] ?? Number.NaN);
  return busy.every(Number.isInteger) ? busy.reduce((sum, ticks) => sum + ticks, 0) : undefined;
}

const processKey = (sample: { pid: number; startTime: number }) =>
  `${sample.pid}@${sample.startTime}`;

/** CPU seconds by group between two snapshots of the same machine. */
export function diffSnapshots(before: MachineSnapshot, after: MachineSnapshot): CpuWindow {
  const earlier = new Map(before.processes.map((sample) => [processKey(sample), sample]));
  const earlierByPid = new Map(before.processes.map((sample) => [sample.pid, sample]));
  const later = new Map(after.processes.map((sample) => [processKey(sample), sample]));
  const groupsBefore = classifyProcesses(before.processes, before.selfPid);
  const groupsAfter = classifyProcesses(after.processes, after.selfPid);
  const ticks = new Map<CpuGroup, number>();
  const members = new Map<CpuGroup, number>();
  const add = (group: CpuGroup, value: number) => ticks.set(group, (ticks.get(group) ?? 0) + value);
  const count = (group: CpuGroup) => members.set(group, (members.get(group) ?? 0) + 1);

  // A surviving parent's cutime grew by the whole life of each child it reaped in the window:
  // take back what the vanished children had spent before the window began.
  const reapedBefore = new Map<string, number>();
  let vanished = 0;
  for (const [key, sample] of earlier) {
    if (later.has(key)) continue;
    vanished += 1;
    count(groupsBefore.get(sample.pid) ?? 'other');
    const parent = earlierByPid.get(sample.ppid);
    if (parent === undefined) continue;
    const parentKey = processKey(parent);
    reapedBefore.set(
      parentKey,
      (reapedBefore.get(parentKey) ?? 0) + sample.ownTicks + sample.childTicks,
    );
  }

  let appeared = 0;
  for (const [key, sample] of later) {
    const group = groupsAfter.get(sample.pid) ?? 'other';
    count(group);
    const start = earlier.get(key);
    if (start === undefined) appeared += 1;
    const own = sample.ownTicks - (start?.ownTicks ?? 0);
    const reaped =
      sample.childTicks - (start?.childTicks ?? 0) - (start ? (reapedBefore.get(key) ?? 0) : 0);
    // Neither can shrink; a child reaped by someone else (its parent died) would make it look so.
    add(group, Math.max(0, own) + Math.max(0, reaped));
  }

  const hz = after.ticksPerSecond;
  const busyTicks =
    before.machineBusyTicks === undefined || after.machineBusyTicks === undefined
      ? undefined
      : after.machineBusyTicks - before.machineBusyTicks;
  return {
    wallSeconds: (after.atMs - before.atMs) / 1_000,
    groups: cpuGroups
      .filter((group) => members.has(group))
      .map((group) => ({
        group,
        processes: members.get(group) ?? 0,
        seconds: (ticks.get(group) ?? 0) / hz,
      })),
    machineBusySeconds: busyTicks === undefined ? undefined : busyTicks / hz,
    appeared,
    vanished,
  };
}

/** Microseconds of CPU per transfer; undefined without transfers. */
export function microsPerTransfer(seconds: number, transfers: number): number | undefined {
  return transfers > 0 ? (seconds * 1e6) / transfers : undefined;
}

/** A window's CPU as a budget per transfer of one system (countedGroups). */
export function cpuBudget(window: CpuWindow, system: CpuSystem, transfers: number): CpuBudget {
  const counted = new Set<CpuGroup>(countedGroups[system]);
  const countedSeconds = window.groups
    .filter(({ group }) => counted.has(group))
    .reduce((sum, { seconds }) => sum + seconds, 0);
  return {
    ...window,
    system,
    transfers,
    countedSeconds,
    microsPerTransfer: microsPerTransfer(countedSeconds, transfers),
  };
}

/**
 * Takes the before-snapshot now; `finish` takes the after-snapshot and divides. Both resolve to
 * undefined where /proc cannot be read, so a run elsewhere still reports everything else.
 */
export async function startCpuWindow(system: CpuSystem): Promise<{
  finish(transfers: number): Promise<CpuBudget | undefined>;
}> {
  const before = await takeMachineSnapshot();
  return {
    async finish(transfers) {
      const after = before === undefined ? undefined : await takeMachineSnapshot();
      if (before === undefined || after === undefined) return undefined;
      return cpuBudget(diffSnapshots(before, after), system, transfers);
    },
  };
}
