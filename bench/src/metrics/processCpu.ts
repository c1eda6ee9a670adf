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
 * the stack started (process.cpuUsage(): getrusage, the same counters).
 */
export type CpuReading = () => Promise<number | undefined>;

/** utime + stime of a `/proc/<pid>/stat` line, in clock ticks. */
export function procStatCpuTicks(stat: string): number {
  // Field 2 is the command in parentheses and may hold spaces or ')': fields count from the last.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, so utime (14) and stime (15) sit at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) {
    throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  }
  return utime + stime;
}

let ticksPerSecond: Promise<number> | undefined;

/** The kernel's clock ticks per second (USER_HZ), asked once. */
function clockTicksPerSecond(): Promise<number> {
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
