import { countedGroups } from '../metrics/cpuGroups.ts';
import { microsPerTransfer, type CpuBudget, type GroupCpu } from '../metrics/machineCpu.ts';
import type { FigureRow } from './figures.ts';
import { formatMicros, formatNumber } from './stats.ts';

/**
 * The CPU budget per applied transfer (machineCpu.ts) in report.md: a table per transfer path
 * and one row of the figures table. The goal is 10,000 transfers/s on this machine's 2 cores,
 * i.e. 2 CPU-seconds per second ÷ 10,000/s: every process of the run together, the load
 * generator included since it shares those cores, may spend 200 µs per applied transfer.
 */
export const cpuMicrosPerTransferTarget = 200;

const cpuFigure = 'CPU per transfer, all processes (batch endpoint, sustained)';
const cpuTarget = `≤ ${cpuMicrosPerTransferTarget} µs per applied transfer`;
/** How many groups the figure row names as the largest costs. */
const largestGroupsShown = 3;

/** What the CPU report reads of a run's results (BenchResults has it; tests build just this). */
export interface CpuResults {
  readonly sustained: WithCpu | undefined;
  readonly singles: { readonly ledger: WithCpu; readonly naive: WithCpu } | undefined;
}
interface WithCpu {
  readonly cpu: CpuBudget | undefined;
}

const countedIn = (budget: CpuBudget) => new Set(countedGroups[budget.system]);
const micros = (budget: CpuBudget, seconds: number) => microsPerTransfer(seconds, budget.transfers);
const withinTarget = (perTransfer: number) => perTransfer <= cpuMicrosPerTransferTarget;

/** Counted groups by CPU, largest first. */
function countedByCost(budget: CpuBudget): GroupCpu[] {
  const counted = countedIn(budget);
  return budget.groups
    .filter(({ group }) => counted.has(group))
    .sort((a, b) => b.seconds - a.seconds);
}

export function cpuFigureRow(results: CpuResults): FigureRow {
  const budget = results.sustained?.cpu;
  const perTransfer = budget?.microsPerTransfer;
  if (budget === undefined || perTransfer === undefined) {
    return {
      figure: cpuFigure,
      target: cpuTarget,
      measured: `not measured yet: ${results.sustained === undefined ? 'the sustained run failed' : '/proc could not be read, or nothing was applied'}`,
      met: 'not measured',
    };
  }
  const largest = countedByCost(budget)
    .slice(0, largestGroupsShown)
    .map(({ group, seconds }) => `${group} ${formatMicros(micros(budget, seconds))}`)
    .join(', ');
  const singles = results.singles;
  const singlesNote =
    singles === undefined
      ? ''
      : `; single transfers: ledger ${formatMicros(singles.ledger.cpu?.microsPerTransfer)}, naive design ${formatMicros(singles.naive.cpu?.microsPerTransfer)}`;
  return {
    figure: cpuFigure,
    target: cpuTarget,
    measured:
      `${formatMicros(perTransfer)} (${formatNumber(budget.countedSeconds, 1)} CPU-s for ${formatNumber(budget.transfers)} transfers; ` +
      `largest: ${largest}${singlesNote})`,
    met: withinTarget(perTransfer) ? 'yes' : 'no',
  };
}

/** The report's section: one table per path that has a budget. */
export function cpuBudgetSection(results: CpuResults): string {
  // The target is set for the batch path; the single-transfer tables are for comparison.
  const paths: [string, CpuBudget | undefined, boolean][] = [
    ['Batch endpoint, sustained', results.sustained?.cpu, true],
    ['Single transfers, ledger', results.singles?.ledger.cpu, false],
    [
      'Single transfers, naive design (its total: Postgres, the naive server, the load generator)',
      results.singles?.naive.cpu,
      false,
    ],
  ];
  const measured = paths.filter(
    (path): path is [string, CpuBudget, boolean] => path[1] !== undefined,
  );
  return [
    '## CPU per applied transfer, all processes (from /proc)',
    'Every process on the machine is read from `/proc/<pid>/stat` just before the load and again when its last transfer is applied, ' +
      "grouped by command line, and each group's CPU is divided by the transfers the run applied. " +
      'The total counts the system under test and the load generator (they share the cores); other services on the machine, kernel threads, ' +
      "the stack's supervisor and, for the ledger, the idle baselines are listed but not counted. " +
      "Processes that exited inside the window count only through their parent's cutime (the postmaster's for backends and autovacuum workers). " +
      'Growth cells: last column of the transfer runs table.',
    ...(measured.length === 0
      ? ['Not measured (/proc could not be read, or the runs failed).']
      : measured.flatMap(([title, budget, withTarget]) => [
          `### ${title}`,
          cpuBudgetTable(budget, withTarget),
        ])),
  ].join('\n\n');
}

/** One row per group, counted ones by cost; then the total, the target (batch path), the rest. */
export function cpuBudgetTable(budget: CpuBudget, withTarget: boolean): string {
  const counted = countedIn(budget);
  const share = (seconds: number) =>
    budget.countedSeconds > 0 ? `${formatNumber((seconds * 100) / budget.countedSeconds)}%` : '—';
  const row = (group: GroupCpu, shareCell: string) =>
    `| ${group.group} | ${group.processes} | ${formatNumber(group.seconds, 2)} | ${formatNumber(micros(budget, group.seconds), 1)} | ${shareCell} |`;
  const uncounted = budget.groups.filter(({ group }) => !counted.has(group));
  const perTransfer = budget.microsPerTransfer;
  const lines = [
    '| group | processes | CPU s | µs per applied transfer | share |',
    '|---|---|---|---|---|',
    ...countedByCost(budget).map((group) => row(group, share(group.seconds))),
    `| **total (${budget.system} + load generator)** | | **${formatNumber(budget.countedSeconds, 2)}** | **${formatNumber(perTransfer, 1)}** | 100% |`,
    ...(withTarget
      ? [
          `| target | | | ≤ ${cpuMicrosPerTransferTarget} | ${perTransfer === undefined ? 'not measured' : withinTarget(perTransfer) ? 'met' : 'not met'} |`,
        ]
      : []),
    ...uncounted.map((group) => row(group, 'not counted')),
  ];
  return [lines.join('\n'), windowNote(budget)].join('\n\n');
}

/** The window, the divisor and the machine-wide cross-check from /proc/stat. */
function windowNote(budget: CpuBudget): string {
  const listed = budget.groups.reduce((sum, { seconds }) => sum + seconds, 0);
  const busy = budget.machineBusySeconds;
  return (
    `${formatNumber(budget.transfers)} transfers applied in ${formatNumber(budget.wallSeconds, 1)} s between the snapshots; ` +
    `${budget.appeared} processes started and ${budget.vanished} exited in between. ` +
    (busy === undefined
      ? 'Machine busy time unknown.'
      : `All cores were busy ${formatNumber(busy, 2)} s (/proc/stat); the processes listed account for ${formatNumber(listed, 2)} s ` +
        '(a gap is interrupt time, processes that exited without a waiting parent, and tick sampling).')
  );
}
