import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transactionPhases } from '../metrics/timeline.ts';
import type { BatchRun } from '../scenarios/batchThroughput.ts';
import type { BenchResults } from './benchResults.ts';
import { cpuBudgetSection } from './cpuBudgetReport.ts';
import { buildFigures, figuresTable } from './figures.ts';
import { writePlots } from './plots.ts';
import { formatNumber, percentile } from './stats.ts';
import { transactionStats } from './transactionStats.ts';

/** report.md, raw.json and the plots into the run's results folder; returns report.md's path. */
export async function writeReport(
  results: BenchResults,
  directory: string,
): Promise<{ reportPath: string; table: string }> {
  await writeFile(join(directory, 'raw.json'), JSON.stringify(results, null, 2) + '\n');
  const plots = await writePlots(results, directory);
  const table = figuresTable(buildFigures(results));
  const m = results.machine;
  const sections = [
    `# Benchmark report — ${results.profile.name} run, ${results.startedAt}`,
    `Run tag \`${results.runTag}\`, seed ${results.seed}, finished ${results.finishedAt}.`,
    '## Figures (docs/architecture.md "Performance targets")',
    table,
    '**Read these as same-run ratios.** Everything — Kafka, the registry, Postgres, Redis, the four ' +
      "services, the baselines and the load generator — shares this machine's " +
      `${m.cpus} cores, and other work may have been running (load average at start: ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(', ')}). ` +
      'Absolute numbers move from run to run; the ratios between scenarios of one run are what the targets compare.',
    '## Machine',
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(0)} GiB, ${m.platform}, Node ${m.node}. ` +
      `Started by this run: ${results.started.length === 0 ? 'nothing (an already running stack was used)' : results.started.join(', ')}.`,
    '## Load runs',
    loadTable(results),
    '## Transfer runs (applied = decided in Postgres and its events published)',
    batchTable(
      [...(results.sustained ? [results.sustained] : []), ...(results.growth?.cells ?? [])],
      results.timeline,
    ),
    singlesSection(results),
    cpuBudgetSection(results),
    visibilitySection(results),
    '## Audit',
    results.audits
      .map(
        (audit) =>
          `Schema \`${audit.schema}\` (${audit.seconds.toFixed(1)} s): **${audit.ok ? 'all checks hold' : 'VIOLATIONS'}**\n\n` +
          audit.checks
            .map((c) => `- ${c.ok ? 'ok' : 'FAILED'} — ${c.name}: ${c.detail}`)
            .join('\n'),
      )
      .join('\n\n') || 'The audit did not run.',
    '## Seeding',
    results.seeds
      .map(
        (s) =>
          `- ${s.set}: ${formatNumber(s.size)} accounts, ${s.reused ? 'reused from an earlier run' : `seeded in ${s.seconds.toFixed(1)} s`}`,
      )
      .join('\n'),
    '## Plots',
    plots.map((file) => `![${file}](${file})`).join('\n\n'),
    ...(results.failures.length === 0
      ? []
      : [
          '## Scenarios that failed',
          results.failures.map((f) => `- ${f.scenario}: ${f.error}`).join('\n'),
        ]),
    '## Reproduce',
    `\`npm run bench${results.profile.name === 'quick' ? ' -- --quick' : ''}\` from the repository root (uses a running stack, else starts one). ` +
      'Raw numbers: `raw.json` beside this file; service logs of processes the run started: `logs/`.',
  ];
  const reportPath = join(directory, 'report.md');
  await writeFile(reportPath, sections.join('\n\n') + '\n');
  return { reportPath, table };
}

function loadTable(results: BenchResults): string {
  const lines = [
    '| run | client | connections | s | req/s | p50 ms | p90 ms | p99 ms | max ms | statuses | errors | timeouts |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const load of results.loads) {
    const statuses = Object.entries(load.statusCounts)
      .map(([code, count]) => `${code}: ${count}`)
      .join(', ');
    lines.push(
      `| ${load.name} | ${load.tool} | ${load.connections} | ${load.durationSeconds.toFixed(0)} | ${formatNumber(load.requestsPerSecond)} | ` +
        `${load.latencyMs.p50} | ${load.latencyMs.p90} | ${load.latencyMs.p99} | ${load.latencyMs.max} | ${statuses || '—'} | ${load.errors} | ${load.timeouts} |`,
    );
  }
  return lines.join('\n');
}

function batchTable(runs: readonly BatchRun[], points: BenchResults['timeline']): string {
  if (runs.length === 0) return 'No batch runs completed.';
  const lines = [
    `| run | accounts | distribution | accepted | invalid items | decided/s during load | applied/s end to end | drain s | commands / transaction | ms / transaction | transaction time ÷ wall time | ms per 1000 commands: ${transactionPhases.join(' / ')} | CPU µs per transfer, all processes |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    const endMs = run.http.finishedAtMs + (run.drainSeconds ?? 0) * 1_000;
    const tx = transactionStats(points, run.http.startedAtMs, endMs);
    lines.push(
      `| ${run.http.name} | ${formatNumber(run.accounts)} | ${run.distribution} | ${formatNumber(run.accepted)} | ${formatNumber(run.invalidItems)} | ` +
        `${formatNumber(run.decidedInWindowPerSecond)} | ${run.appliedPerSecond === undefined ? 'not drained' : formatNumber(run.appliedPerSecond)} | ${run.drainSeconds?.toFixed(1) ?? '—'} | ` +
        `${formatNumber(tx?.commandsPerTransaction)} | ${formatNumber(tx?.msPerTransaction, 1)} | ${formatNumber(tx?.transactionTimeShare, 2)} | ${phaseCell(tx?.msPerThousandByPhase)} | ${formatNumber(run.cpu?.microsPerTransfer, 1)} |`,
    );
  }
  return lines.join('\n');
}

function phaseCell(phases: Readonly<Record<string, number>> | undefined): string {
  if (phases === undefined) return '—';
  return Object.values(phases)
    .map((ms) => formatNumber(ms))
    .join(' / ');
}

function singlesSection(results: BenchResults): string {
  const singles = results.singles;
  if (singles === undefined) return '## Single transfers vs naive\n\nNot run (see failures).';
  const line = (label: string, run: typeof singles.ledger) =>
    `- ${label}: ${formatNumber(run.acceptedOrApplied)} ${run.target === 'ledger' ? 'accepted (202)' : 'applied (201)'}, ` +
    `applied end to end ${run.appliedPerSecond === undefined ? 'not drained' : `${formatNumber(run.appliedPerSecond)}/s`}` +
    `${run.target === 'ledger' ? `, drain after the load ${run.drainSeconds?.toFixed(1) ?? '?'} s` : ''}`;
  return [
    '## Single transfers vs naive (same client, same workload)',
    line('ledger (command API → Kafka → processor)', singles.ledger),
    line('naive (express → one Postgres transaction per transfer)', singles.naive),
  ].join('\n\n');
}

function visibilitySection(results: BenchResults): string {
  const v = results.visibility;
  if (v === undefined) return '## Accepted → visible\n\nNot run.';
  if (v.notMeasured !== undefined)
    return `## Accepted → visible\n\nNot measured yet: ${v.notMeasured}.`;
  return (
    `## Accepted → visible\n\n${v.samplesMs.length} probes at a background of ${formatNumber(v.targetPerSecond)}/s: ` +
    `p50 ${formatNumber(percentile(v.samplesMs, 50), 1)} ms, p90 ${formatNumber(percentile(v.samplesMs, 90), 1)} ms, ` +
    `p99 ${formatNumber(percentile(v.samplesMs, 99), 1)} ms, max ${formatNumber(percentile(v.samplesMs, 100), 1)} ms; ${v.missed} missed.`
  );
}
