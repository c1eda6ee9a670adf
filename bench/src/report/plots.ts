import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { BenchResults } from './benchResults.ts';
import { deltas } from './stats.ts';
import { dotPlotSvg, lineChartSvg, palette, type Band, type Series } from './svgChart.ts';

/**
 * The four plots of the report, each written as SVG (opens in any browser) and PNG (rendered by
 * resvg, a prebuilt binary from the npm registry; text uses the system's fonts, DejaVu here).
 */
/** Samples come every second; a longer gap means the value was not there. */
const maxSampleGapSeconds = 2.5;

export async function writePlots(results: BenchResults, directory: string): Promise<string[]> {
  const t0 = results.timeline[0]?.tMs ?? Date.parse(results.startedAt);
  const seconds = (tMs: number) => (tMs - t0) / 1_000;
  const bands: Band[] = results.phases
    .filter((phase) => phase.endMs !== undefined)
    .map((phase) => ({
      start: seconds(phase.startMs),
      end: seconds(phase.endMs ?? phase.startMs),
      label: phase.name,
    }));
  const points = results.timeline;
  const xs = points.map((point) => seconds(point.tMs));
  const seriesOf = (
    name: string,
    color: string,
    values: readonly (number | undefined)[],
  ): Series => ({
    name,
    color,
    points: values.flatMap((value, index) =>
      value === undefined ? [] : [[xs[index] ?? 0, value] as const],
    ),
  });

  const decidedPerSecond = deltas(points.map((point) => point.decided));
  const publishedPerSecond = deltas(points.map((point) => point.published));
  const throughput = lineChartSvg({
    title: 'Throughput over the run',
    maxGap: maxSampleGapSeconds,
    xLabel: 'seconds since start (shaded: scenarios)',
    yLabel: 'per second',
    bands,
    series: [
      seriesOf(
        'HTTP responses/s (load generator)',
        palette[0] ?? '#000',
        points.map((point) => point.httpPerSecond),
      ),
      seriesOf('commands decided/s (processor)', palette[1] ?? '#000', decidedPerSecond),
      seriesOf('events published/s (outbox relay)', palette[2] ?? '#000', publishedPerSecond),
    ],
  });

  const decided0 = points.find((point) => point.decided !== undefined)?.decided ?? 0;
  const lag = lineChartSvg({
    title: 'Consumer lag on ledger.commands',
    maxGap: maxSampleGapSeconds,
    xLabel: 'seconds since start (shaded: scenarios)',
    yLabel: 'commands',
    bands,
    series: [
      seriesOf(
        'backlog: accepted by the bench − decided by the processor',
        palette[3] ?? '#000',
        points.map((point) =>
          point.decided === undefined
            ? undefined
            : Math.max(0, point.accepted - (point.decided - decided0)),
        ),
      ),
      seriesOf(
        'lag gauge of the command API (group offsets)',
        palette[4] ?? '#000',
        points.map((point) => point.lagGauge),
      ),
    ],
  });

  const hits = deltas(points.map((point) => point.cacheHits));
  const misses = deltas(points.map((point) => point.cacheMisses));
  const hitRatio = hits.map((hit, index) => {
    const miss = misses[index];
    return hit === undefined || miss === undefined || hit + miss === 0
      ? undefined
      : hit / (hit + miss);
  });
  const cache = lineChartSvg({
    title: 'query-api cache hit ratio',
    xLabel: 'seconds since start (shaded: scenarios)',
    yLabel: 'hits / (hits + misses)',
    bands,
    yMax: 1,
    maxGap: maxSampleGapSeconds,
    series: [seriesOf('hit ratio per second', palette[2] ?? '#000', hitRatio)],
    emptyNote:
      results.reads?.cachedNotMeasured !== undefined
        ? `not measured yet: ${results.reads.cachedNotMeasured}`
        : 'query-api exposes no cache hit/miss counters on /metrics',
  });

  const latency = dotPlotSvg({
    title: 'Latency percentiles per load run (2xx responses, ms, log scale)',
    xLabel: 'milliseconds',
    keys: ['p50', 'p90', 'p99', 'p99.9'],
    rows: results.loads.map((load) => ({
      label: load.name,
      values: [
        load.latencyMs.p50,
        load.latencyMs.p90,
        load.latencyMs.p99,
        load.latencyMs.p99_9,
      ].map((v) => Math.max(v, 0.5)),
    })),
  });

  const files: string[] = [];
  for (const [name, svg] of [
    ['throughput', throughput],
    ['latency-percentiles', latency],
    ['consumer-lag', lag],
    ['cache-hit-ratio', cache],
  ] as const) {
    await writeFile(join(directory, `${name}.svg`), svg);
    const png = new Resvg(svg, {
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    })
      .render()
      .asPng();
    await writeFile(join(directory, `${name}.png`), png);
    files.push(`${name}.png`);
  }
  return files;
}
