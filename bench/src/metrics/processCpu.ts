import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fetchMetrics, metricSum } from './promText.ts';

/**
 * CPU time a server process spent (user + system), read around a load run to give its CPU per
 * request. Requests/s on this shared 2-core machine falls whenever a server gets less of a core;
 * CPU per request does not, so the read scenarios report it beside the ratios as a diagnosis of
 * where a round's ratio came from. It is not immune to a busy machine (contention for the shared
 * caches raises it on both sides) and it never decides a target.
 *
 * Two sources, the same quantity: the kernel's account of a child process the bench started
 * (`/proc/<pid>/stat`, utime + stime), and prom-client's `process_cpu_seconds_total` on a service
 * the stack started (process.cpuUsage(): getrusage, the same counters). The machine-wide CPU
 * budget per transfer (machineCpu.ts) reads every process's stat line with the same parser.
 */
export type CpuReading = () => Promise<number | undefined>;

/** The fields of a `/proc/<pid>/stat` line the bench reads (proc(5)); times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  /** Field 2 without its parentheses: the executable's name, at most 15 characters. */
  readonly comm: string;
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  /** Ticks of exited children it waited for (the postmaster's backends, a shell's commands). */
  readonly cutime: number;
  readonly cstime: number;
  /** Ticks after boot at which it started: with the pid, it names one process (pids are reused). */
  readonly startTime: number;
}

/** Field numbers of proc(5), counted from 1; field 3 (state) is the first after the command. */
const statField = { ppid: 4, utime: 14, stime: 15, cutime: 16, cstime: 17, startTime: 22 } as const;
const firstFieldAfterCommand = 3;

/** Parses one `/proc/<pid>/stat` line; throws on anything else rather than read garbage. */
export function parseProcStat(stat: string): ProcStat {
  // Field 2 is the command in parentheses and may hold spaces or ')': fields count from the last.
  const open = stat.indexOf(' (');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const field = (number: number) => Number(fields[number - firstFieldAfterCommand]);
  const parsed: ProcStat = {
    pid: Number(stat.slice(0, open)),
    comm: stat.slice(open + 2, close),
    ppid: field(statField.ppid),
    utime: field(statField.utime),
    stime: field(statField.stime),
    cutime: field(statField.cutime),
    cstime: field(statField.cstime),
    startTime: field(statField.startTime),
  };
  const { comm: _comm, ...numbers } = parsed;
  if (open <= 0 || close < open || !Object.values(numbers).every(Number.isInteger)) {
    throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  }
  return parsed;
}

/** utime + stime of a `/proc/<pid>/stat` line, in clock ticks. */
export function procStatCpuTicks(stat: string): number {
  const parsed = parseProcStat(stat);
  return parsed.utime + parsed.stime;
}

let ticksPerSecond: Promise<number> | undefined;

/** The kernel's clock ticks per second (USER_HZ: the unit of /proc's CPU times), asked once. */
export function clockTicksPerSecond(): Promise<number> {
  ticksPerSecond ??= new Promise((resolve, reject) => {
    execFile('getconf', ['CLK_TCK'], (error, stdout) => {
      const value = Number(stdout.trim());
      if (error !== null || !Number.isInteger(value) || value <= 0) {
        reject(new Error(`getconf CLK_TCK gave ${JSON.stringify(stdout)}`, { cause: error }));
      } else {
        resolve(value);
      }
    });
  });
  return ticksPerSecond;
}

/** CPU seconds of a local process by pid; undefined where /proc cannot tell (not Linux, gone). */
export function procCpuSeconds(pid: number | undefined): CpuReading {
  return async () => {
    if (pid === undefined) return undefined;
    try {
      const [stat, hz] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8'),
        clockTicksPerSecond(),
      ]);
      return procStatCpuTicks(stat) / hz;
    } catch {
      return undefined;
    }
  };
}

/** CPU seconds a service reports on its /metrics. */
export function metricsCpuSeconds(baseUrl: string): CpuReading {
  return async () => {
    const samples = await fetchMetrics(baseUrl);
    return samples === undefined ? undefined : metricSum(samples, 'process_cpu_seconds_total');
  };
}

/** Microseconds of CPU per response, when both readings and some responses exist. */
export function cpuMicrosPerResponse(
  before: number | undefined,
  after: number | undefined,
  responses: number,
): number | undefined {
  if (before === undefined || after === undefined || responses <= 0 || after < before) {
    return undefined;
  }
  return ((after - before) * 1e6) / responses;
}
