/**
 * Which part of the run a process on the machine belongs to, from what /proc says of it (its
 * command name, command line and parent). Pure, so realistic command lines are unit tested.
 */

/** The ledger's run: its dependencies, its services and the load generator driving them. */
const ledgerGroups = [
  'postgres',
  'kafka',
  'registry',
  'redis',
  'command-api',
  'ledger-processor',
  'projector',
  'query-api',
  'load generator',
] as const;

export const cpuGroups = [
  ...ledgerGroups,
  'baseline',
  'stack supervisor',
  'kernel',
  'other',
] as const;
export type CpuGroup = (typeof cpuGroups)[number];

/** Whose CPU a budget adds up: the ledger's run, or the naive design's (bench/src/baselines). */
export type CpuSystem = 'ledger' | 'naive';

/**
 * The groups each system's total counts. The load generator shares the cores with the system it
 * drives, so it counts for both. Never counted: `other` (unrelated services and sessions on the
 * machine), `kernel` (kernel threads: softirq and writeback no process can be charged with), the
 * `stack supervisor` (infra's stackCli: scaffolding a deployment would not run), and for the
 * ledger the baseline servers, which idle beside it.
 */
export const countedGroups: Readonly<Record<CpuSystem, readonly CpuGroup[]>> = {
  ledger: ledgerGroups,
  naive: ['postgres', 'baseline', 'load generator'],
};

/** What the classification reads of one process. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** `/proc/<pid>/cmdline` with its NUL separators as spaces; empty for kernel threads. */
  readonly cmdline: string;
}

/** The kernel's thread parent: every kernel thread is its child. */
const kthreaddPid = 2;
/** Bounds the walk up the parents (a pid cycle cannot happen, a torn snapshot might fake one). */
const ancestorDepthMax = 64;

const serviceMain =
  /(?:^|[\s/])(command-api|ledger-processor|projector|query-api)\/src\/main\.ts(?:\s|$)/;
const kafkaMain = /\skafka\.Kafka(?:\s|$)/;
const services = ['command-api', 'ledger-processor', 'projector', 'query-api'] as const;

/** The group a process's own name or command line says, or undefined when it says none. */
export function ownGroup(entry: ProcessIdentity, selfPid: number): CpuGroup | undefined {
  const { comm, cmdline } = entry;
  const program = (cmdline.split(' ', 1)[0] ?? '').split('/').at(-1) ?? '';
  if (entry.pid === selfPid) return 'load generator';
  if (entry.pid === kthreaddPid || entry.ppid === kthreaddPid) return 'kernel';
  // Before the service rule: a baseline is a node process of the bench's own.
  if (cmdline.includes('bench/src/baselines/')) return 'baseline';
  if (cmdline.includes('infra/src/cli/stackCli.ts')) return 'stack supervisor';
  // Backends rename themselves (`postgres: 15/main: postgres ledger 127.0.0.1(53422) idle`).
  if (comm === 'postgres' || program === 'postgres' || cmdline.startsWith('postgres:')) {
    return 'postgres';
  }
  if (comm === 'redis-server' || program === 'redis-server') return 'redis';
  if (comm === 'java' || program === 'java') {
    if (cmdline.includes('ledger.stack.part=kafka') || kafkaMain.test(cmdline)) {
      return 'kafka';
    }
    if (cmdline.includes('ledger.stack.part=registry') || /apicurio/i.test(cmdline)) {
      return 'registry';
    }
    return undefined;
  }
  const service = serviceMain.exec(cmdline)?.[1];
  return services.find((name) => name === service);
}

/**
 * Every process's group: its own when it has one, else its nearest ancestor's (the esbuild
 * helper tsx starts beside each service, wrk under the bench), else `other`.
 */
export function classifyProcesses(
  processes: readonly ProcessIdentity[],
  selfPid: number,
): Map<number, CpuGroup> {
  const byPid = new Map(processes.map((entry) => [entry.pid, entry]));
  const groups = new Map<number, CpuGroup>();
  for (const entry of processes) {
    let group: CpuGroup | undefined;
    let current: ProcessIdentity | undefined = entry;
    for (let depth = 0; current !== undefined && depth < ancestorDepthMax; depth += 1) {
      group = groups.get(current.pid) ?? ownGroup(current, selfPid);
      if (group !== undefined) break;
      current = byPid.get(current.ppid);
    }
    groups.set(entry.pid, group ?? 'other');
  }
  return groups;
}
