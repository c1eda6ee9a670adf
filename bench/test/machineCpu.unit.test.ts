import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuBudget,
  diffSnapshots,
  machineBusyTicksOf,
  microsPerTransfer,
  type CpuBudget,
  type CpuWindow,
  type MachineSnapshot,
  type ProcessSample,
} from '../src/metrics/machineCpu.ts';
import { parseProcStat } from '../src/metrics/processCpu.ts';
import { cpuBudgetTable, cpuFigureRow } from '../src/report/cpuBudgetReport.ts';

// Copied from this machine's /proc while a stack ran (trailing fields cut after startTime + 3).
const postmasterStat =
  '12609 (postgres) S 1 12609 12609 0 -1 4194304 5042 17369 0 2 8 10 32 35 20 0 1 0 83674 224456704 7811 18446744073709551615';
const selfPid = 7154;

void describe('reading /proc/<pid>/stat', () => {
  void it("given the postmaster's stat line, then its own and its reaped children's ticks, parent and start time are read", () => {
    const stat = parseProcStat(postmasterStat);
    assert.deepEqual(stat, {
      pid: 12609,
      comm: 'postgres',
      ppid: 1,
      utime: 8,
      stime: 10,
      cutime: 32,
      cstime: 35,
      startTime: 83674,
    });
  });

  void it('given a command with spaces and parentheses, then the fields still count from its last parenthesis', () => {
    const stat = parseProcStat(
      '4242 (node (my) srv) S 1 4242 4242 0 -1 4194560 1200 0 3 0 731 264 5 6 20 0 11 0 9000 1 2',
    );
    assert.equal(stat.comm, 'node (my) srv');
    assert.deepEqual([stat.utime, stat.stime, stat.cutime, stat.cstime], [731, 264, 5, 6]);
    assert.equal(stat.startTime, 9000);
  });

  void it('given a line cut short, then it throws rather than read garbage', () => {
    assert.throws(() => parseProcStat('4242 (node) S 1 4242'), /not a \/proc/);
  });

  void it("given /proc/stat's cpu line, then busy ticks are user + nice + system + irq + softirq + steal", () => {
    assert.equal(
      machineBusyTicksOf('cpu  60208 0 22270 95348 505 0 1939 0 0 0\ncpu0 1 2 3'),
      84417,
    );
    assert.equal(machineBusyTicksOf('intr 1 2 3'), undefined);
  });
});

const hz = 100;
const sample = (
  pid: number,
  ppid: number,
  cmdline: string,
  ticks: { own: number; child?: number; start?: number },
): ProcessSample => ({
  pid,
  ppid,
  comm: cmdline.split(' ', 1)[0]?.split('/').at(-1) ?? '',
  cmdline,
  startTime: ticks.start ?? 1_000,
  ownTicks: ticks.own,
  childTicks: ticks.child ?? 0,
});
const snapshot = (atMs: number, processes: ProcessSample[], busy?: number): MachineSnapshot => ({
  atMs,
  ticksPerSecond: hz,
  selfPid,
  processes,
  machineBusyTicks: busy,
});
const postmaster = '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main';
const backend = 'postgres: 15/main: postgres ledger 127.0.0.1(53422) idle';
const processor = '/usr/bin/node --import tsx /work/main/ledger-processor/src/main.ts';
const seconds = (window: CpuWindow, group: string) =>
  window.groups.find((entry) => entry.group === group)?.seconds;

void describe('CPU by group between two snapshots', () => {
  void it('given processes that ran through the window, then each counts its own ticks since the first snapshot', () => {
    const window = diffSnapshots(
      snapshot(0, [sample(5725, 1, processor, { own: 5_000 })], 10_000),
      snapshot(10_000, [sample(5725, 1, processor, { own: 5_600 })], 11_500),
    );
    assert.equal(seconds(window, 'ledger-processor'), 6);
    assert.equal(window.wallSeconds, 10);
    assert.equal(window.machineBusySeconds, 15);
  });

  void it('given a process that started inside the window, then all its ticks count, its reaped children too', () => {
    const window = diffSnapshots(
      snapshot(0, []),
      snapshot(1_000, [sample(selfPid, 1, 'node bench/src/cli.ts', { own: 250, child: 50 })]),
    );
    assert.equal(seconds(window, 'load generator'), 3);
    assert.equal(window.appeared, 1);
  });

  void it("given a backend that exited inside the window, then it counts through the postmaster's cutime, less what it had spent before", () => {
    const window = diffSnapshots(
      snapshot(0, [
        sample(2225, 1, postmaster, { own: 100, child: 1_000 }),
        sample(8217, 2225, backend, { own: 300 }),
      ]),
      // The backend ran 200 more ticks before it exited: the postmaster reaped its 500.
      snapshot(1_000, [sample(2225, 1, postmaster, { own: 110, child: 1_500 })]),
    );
    assert.equal(seconds(window, 'postgres'), (10 + 200) / hz);
    assert.equal(window.vanished, 1);
    assert.equal(window.groups.find((entry) => entry.group === 'postgres')?.processes, 2);
  });

  void it('given a pid reused by another process (new start time), then the new one counts in full and the old one is not subtracted', () => {
    const window = diffSnapshots(
      snapshot(0, [sample(8300, 1, backend, { own: 900, start: 500 })]),
      snapshot(1_000, [sample(8300, 1, processor, { own: 40, start: 2_000 })]),
    );
    assert.equal(seconds(window, 'ledger-processor'), 0.4);
    assert.equal(seconds(window, 'postgres'), 0);
    assert.deepEqual([window.appeared, window.vanished], [1, 1]);
  });
});

void describe('CPU per applied transfer', () => {
  const window: CpuWindow = {
    wallSeconds: 60,
    groups: [
      { group: 'postgres', processes: 30, seconds: 30 },
      { group: 'ledger-processor', processes: 2, seconds: 40 },
      { group: 'load generator', processes: 2, seconds: 10 },
      { group: 'baseline', processes: 2, seconds: 1 },
      { group: 'other', processes: 90, seconds: 20 },
    ],
    machineBusySeconds: 105,
    appeared: 3,
    vanished: 1,
  };

  void it('given CPU seconds and transfers, then µs per transfer, and nothing without transfers', () => {
    assert.equal(microsPerTransfer(0.6, 3_000), 200);
    assert.equal(microsPerTransfer(1, 0), undefined);
  });

  void it('given the ledger, then the total counts its parts and the load generator, not baselines or other services', () => {
    const budget = cpuBudget(window, 'ledger', 400_000);
    assert.equal(budget.countedSeconds, 80);
    assert.equal(budget.microsPerTransfer, 200);
  });

  void it('given the naive design, then its total counts Postgres, its server and the load generator', () => {
    assert.equal(cpuBudget(window, 'naive', 41_000).microsPerTransfer, 1_000);
  });

  void it('given a budget at the target, then the table says met and lists uncounted groups apart', () => {
    const table = cpuBudgetTable(cpuBudget(window, 'ledger', 400_000), true);
    assert.match(table, /\| ledger-processor \| 2 \| 40\.00 \| 100\.0 \| 50% \|/);
    assert.match(table, /\| target \| \| \| ≤ 200 \| met \|/);
    assert.match(table, /\| other \| 90 \| 20\.00 \| 50\.0 \| not counted \|/);
  });

  void it('given the sustained run over budget, then the figure is not met and names the largest costs', () => {
    const over: CpuBudget = cpuBudget(window, 'ledger', 100_000);
    const row = cpuFigureRow({ sustained: { cpu: over }, singles: undefined });
    assert.equal(row.met, 'no');
    assert.match(
      row.measured,
      /^800\.0 µs .*largest: ledger-processor 400\.0 µs, postgres 300\.0 µs/,
    );
    assert.equal(cpuFigureRow({ sustained: undefined, singles: undefined }).met, 'not measured');
  });
});
