import { burstErrors } from '../scenarios/burst.ts';
import { cellRate } from '../scenarios/growth.ts';
import { mib } from '../scenarios/memory.ts';
import type { ReadRound } from '../scenarios/readScenarios.ts';
import type { BenchResults } from './benchResults.ts';
import { cpuFigureRow } from './cpuBudgetReport.ts';
import { formatMicros, formatNumber, formatRatio, percentile, ratio } from './stats.ts';

/** One row of the performance targets (docs/architecture.md), as this run measured it. */
export interface FigureRow {
  readonly figure: string;
  readonly target: string;
  readonly measured: string;
  readonly met: 'yes' | 'no' | 'not measured';
}

/** "Flat" read as: the large set costs at most this much more per transfer than the small one. */
export const flatCostRatioMax = 1.25;
const notMeasured = (why: string): Pick<FigureRow, 'measured' | 'met'> => ({
  measured: `not measured yet: ${why}`,
  met: 'not measured',
});
const met = (ok: boolean): FigureRow['met'] => (ok ? 'yes' : 'no');
const rps = (value: number | undefined) => `${formatNumber(value)}/s`;

export function buildFigures(results: BenchResults): FigureRow[] {
  const rows: FigureRow[] = [];
  // Why a scenario has no result: the first failure among the steps it depends on.
  const failed = (...prefixes: string[]) =>
    results.failures.find((f) => prefixes.some((prefix) => f.scenario.startsWith(prefix)))?.error;
  const largeSeed = `seed bench-a${results.profile.accountsLarge}`;
  const reads = results.reads;
  const cachedRps = reads?.cached?.requestsPerSecond;
  // Each ratio is the median of the per-round ratios: a round's three runs are back to back, so
  // a drift in the machine's load lands on both sides of a round's ratio (readScenarios.ts).
  const roundRatios = (versus: 'bare' | 'dbOnly') =>
    (reads?.rounds ?? []).flatMap((round) => {
      const value = ratio(round.cached, round[versus]);
      return value === undefined ? [] : [value];
    });
  const vsBare = percentile(roundRatios('bare'), 50);
  const vsDb = percentile(roundRatios('dbOnly'), 50);
  const readWhy = reads?.cachedNotMeasured ?? failed('reads') ?? 'read scenarios failed';
  const perRound = (versus: 'bare' | 'dbOnly') => {
    const ratios = roundRatios(versus);
    return `median of ${ratios.length} interleaved rounds: ${ratios.map(formatRatio).join(', ')}`;
  };
  const cpuNote = cpuPerRequestNote(reads?.rounds ?? []);
  rows.push({
    figure: 'cached balance reads vs bare node:http constant',
    target: '≥ 0.8×',
    ...(vsBare === undefined
      ? notMeasured(`${readWhy} (bare: ${rps(reads?.bare.requestsPerSecond)})`)
      : {
          measured: `${formatRatio(vsBare)} (${perRound('bare')}; median runs ${rps(cachedRps)} vs ${rps(reads?.bare.requestsPerSecond)}${cpuNote})`,
          met: met(vsBare >= 0.8),
        }),
  });
  rows.push({
    figure: 'cached balance reads vs DB-only read path',
    target: '≥ 20×',
    ...(vsDb === undefined
      ? notMeasured(`${readWhy} (DB-only: ${rps(reads?.dbOnly.requestsPerSecond)})`)
      : {
          measured: `${formatRatio(vsDb)} (${perRound('dbOnly')}; median runs ${rps(cachedRps)} vs ${rps(reads?.dbOnly.requestsPerSecond)})`,
          met: met(vsDb >= 20),
        }),
  });

  const sustained = results.sustained;
  const ledgerAudit = results.audits.find((audit) => audit.schema !== 'bench_naive');
  const check = (name: string) => ledgerAudit?.checks.find((c) => c.name === name);
  const lostOk = check('nothing lost')?.ok === true;
  const doubledOk =
    check('postings per transfer')?.ok === true && check('applied once')?.ok === true;
  if (sustained?.appliedPerSecond === undefined) {
    rows.push({
      figure: 'transfers applied end to end, batch endpoint',
      target: '≥ 10,000/s for 60 s, 0 lost, 0 duplicated',
      ...notMeasured(
        sustained === undefined
          ? (failed('transfers via') ?? 'scenario failed')
          : 'the backlog did not drain in time',
      ),
    });
  } else {
    const duration = sustained.http.durationSeconds;
    rows.push({
      figure: 'transfers applied end to end, batch endpoint',
      target: '≥ 10,000/s for 60 s, 0 lost, 0 duplicated',
      measured:
        `${rps(sustained.appliedPerSecond)} over ${duration.toFixed(0)} s load + ${sustained.drainSeconds?.toFixed(1) ?? '?'} s drain ` +
        `(${formatNumber(sustained.accepted)} accepted; ${lostOk ? '0 lost' : 'LOST: see audit'}, ${doubledOk ? '0 duplicated' : 'DUPLICATES: see audit'})`,
      met: met(sustained.appliedPerSecond >= 10_000 && duration >= 60 && lostOk && doubledOk),
    });
  }

  rows.push(cpuFigureRow(results));

  const singles = results.singles;
  const singleRatio = ratio(singles?.ledger.appliedPerSecond, singles?.naive.appliedPerSecond);
  rows.push({
    figure: 'single-transfer requests applied/s vs naive design, same client',
    target: '≥ 5×',
    ...(singleRatio === undefined
      ? notMeasured(
          singles === undefined
            ? (failed('single', 'naive') ?? 'scenario failed')
            : 'the ledger did not drain in time',
        )
      : {
          measured: `${formatRatio(singleRatio)} (${rps(singles?.ledger.appliedPerSecond)} vs ${rps(singles?.naive.appliedPerSecond)})`,
          met: met(singleRatio >= 5),
        }),
  });

  const visibility = results.visibility;
  const p50 = percentile(visibility?.samplesMs ?? [], 50);
  const p99 = percentile(visibility?.samplesMs ?? [], 99);
  rows.push({
    figure: 'accepted → visible in query-api cache, at half max throughput',
    target: 'p99 < 100 ms',
    ...(visibility === undefined || visibility.notMeasured !== undefined || p99 === undefined
      ? notMeasured(visibility?.notMeasured ?? 'no samples')
      : {
          measured: `p50 ${formatNumber(p50, 1)} ms, p99 ${formatNumber(p99, 1)} ms (${visibility.samplesMs.length} probes, ${visibility.missed} missed, background ${rps(visibility.targetPerSecond)})`,
          met: met(p99 < 100 && visibility.missed === 0),
        }),
  });

  const burst = results.burst;
  if (burst === undefined) {
    rows.push({
      figure: '1000 concurrent keep-alive clients, both APIs',
      target: '0 errors, 0 timeouts',
      ...notMeasured(failed('burst', 'naive') ?? 'scenario failed'),
    });
  } else {
    const command = burst.commandApi.http;
    const query = burst.queryApi;
    const naive = burst.naive.http;
    const describe = (name: string, load: typeof command) =>
      `${name} ${formatNumber(burstErrors(load))} errors / ${formatNumber(load.timeouts)} timeouts of ${formatNumber(load.responses + load.errors)}`;
    rows.push({
      figure: '1000 concurrent keep-alive clients, both APIs',
      target: '0 errors, 0 timeouts',
      measured:
        `${describe('command API', command)}; ${query === undefined ? `query API not measured yet (${burst.queryApiNotMeasured ?? '?'})` : describe('query API', query)}; ` +
        `naive design ${describe('', naive).trim()}`,
      met:
        query === undefined
          ? 'not measured'
          : met(burstErrors(command) === 0 && burstErrors(query) === 0),
    });
  }

  const growth = results.growth;
  const small = results.profile.accountsSmall;
  const large = results.profile.accountsLarge;
  const sizeCost = ratio(
    cellRate(growth ?? { cells: [] }, small, 'uniform'),
    cellRate(growth ?? { cells: [] }, large, 'uniform'),
  );
  rows.push({
    figure: `cost per transfer, ${formatNumber(small)} → ${formatNumber(large)} accounts (uniform)`,
    target: `flat (≤ ${flatCostRatioMax}×); meant to hold up to 10M`,
    ...(sizeCost === undefined
      ? notMeasured(failed(largeSeed, 'growth') ?? 'a growth cell did not drain')
      : {
          measured: `${formatRatio(sizeCost)} the small set's cost per transfer`,
          met: met(sizeCost <= flatCostRatioMax),
        }),
  });
  const zipfCost = ratio(
    cellRate(growth ?? { cells: [] }, small, 'uniform'),
    cellRate(growth ?? { cells: [] }, small, 'zipf'),
  );
  const zipfCostLarge = ratio(
    cellRate(growth ?? { cells: [] }, large, 'uniform'),
    cellRate(growth ?? { cells: [] }, large, 'zipf'),
  );
  rows.push({
    figure: 'cost per transfer with a hot account (Zipf 1.1 vs uniform)',
    target: '< 2×',
    ...(zipfCost === undefined
      ? notMeasured(failed(largeSeed, 'growth') ?? 'a growth cell did not drain')
      : {
          measured: `${formatRatio(zipfCost)} at ${formatNumber(small)} accounts, ${formatRatio(zipfCostLarge)} at ${formatNumber(large)}`,
          met: met(zipfCost < 2 && (zipfCostLarge ?? 0) < 2),
        }),
  });

  const memory = results.memory;
  rows.push({
    figure: 'query-api RSS holding 1M cached balances',
    target: '< 512 MB',
    ...(memory === undefined || memory.notMeasured !== undefined || memory.rssBytes === undefined
      ? notMeasured(memory?.notMeasured ?? failed(largeSeed, 'memory') ?? 'RSS unknown')
      : memory.cachedAccounts < 1_000_000
        ? {
            measured: `${mib(memory.rssBytes)} with only ${formatNumber(memory.cachedAccounts)} cached (${results.profile.name} run)`,
            met: 'not measured' as const,
          }
        : {
            measured: `${mib(memory.rssBytes)} with ${formatNumber(memory.cachedAccounts)} cached`,
            met: met(memory.rssBytes < 512 * 1_000_000),
          }),
  });
  return rows;
}

export function figuresTable(rows: readonly FigureRow[]): string {
  const lines = ['| figure | target | measured | met? |', '|---|---|---|---|'];
  for (const row of rows)
    lines.push(`| ${row.figure} | ${row.target} | ${row.measured} | ${row.met} |`);
  return lines.join('\n');
}

/**
 * A diagnosis beside the cached ÷ bare ratio, not a target: each round's server CPU per request
 * (readScenarios.ts) and the median of the per-round "equal CPU" ratios (bare's CPU per request
 * over cached's). Per round like the ratios themselves, since a busy minute inflates both
 * servers' CPU per request too. Empty when no round has both readings.
 */
export function cpuPerRequestNote(rounds: readonly ReadRound[]): string {
  const measured = rounds.flatMap((round) => {
    const equalCpu = ratio(round.bareCpuMicros, round.cachedCpuMicros);
    return equalCpu === undefined ? [] : [{ round, equalCpu }];
  });
  if (measured.length === 0) return '';
  const each = measured
    .map(
      ({ round }) =>
        `${formatMicros(round.cachedCpuMicros)} vs ${formatMicros(round.bareCpuMicros)}`,
    )
    .join(', ');
  const median = percentile(
    measured.map(({ equalCpu }) => equalCpu),
    50,
  );
  return `; server CPU per request by round, cached vs bare: ${each}, so on equal CPU ${formatRatio(median)} of bare (median)`;
}
