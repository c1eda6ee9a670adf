import { niceTicks } from './stats.ts';

/**
 * Two chart shapes, drawn as plain SVG (no browser, no plotting library): time series with
 * shaded phases, and a per-row dot plot on a log axis for latency percentiles. plots.ts turns
 * them into PNGs.
 */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Band {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

const width = 1000;
const height = 460;
const margin = { left: 80, right: 20, top: 40, bottom: 70 };
const font = 'font-family="DejaVu Sans, Arial, sans-serif"';
export const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#17becf',
];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function lineChartSvg(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  bands?: readonly Band[];
  /** Shown in the middle when there is nothing to draw (e.g. "query API not ready"). */
  emptyNote?: string;
  yMax?: number;
  /** Points further apart on x than this are not joined. */
  maxGap?: number;
}): string {
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = options.series.flatMap((series) => series.points);
  const xMax = Math.max(
    1,
    ...all.map(([x]) => x),
    ...(options.bands ?? []).map((band) => band.end),
  );
  const yTicks = niceTicks(options.yMax ?? Math.max(0, ...all.map(([, y]) => y)));
  const yTop = yTicks.at(-1) ?? 1;
  const xTicks = niceTicks(xMax, 10);
  const xRight = xTicks.at(-1) ?? 1;
  const sx = (x: number) => margin.left + (x / xRight) * plotW;
  const sy = (y: number) => margin.top + plotH - (y / yTop) * plotH;
  const parts: string[] = [svgOpen(), title(options.title)];

  (options.bands ?? []).forEach((band, index) => {
    const x = sx(band.start);
    const w = Math.max(1, sx(band.end) - x);
    parts.push(
      `<rect x="${x}" y="${margin.top}" width="${w}" height="${plotH}" fill="${index % 2 === 0 ? '#f0f0f0' : '#e4e9f2'}"/>`,
    );
    parts.push(
      `<text x="${x + 3}" y="${margin.top + 4}" font-size="9" ${font} fill="#555" transform="rotate(90 ${x + 3} ${margin.top + 4})">${escapeXml(band.label)}</text>`,
    );
  });
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${margin.left - 6}" y="${sy(tick) + 4}" font-size="11" ${font} text-anchor="end">${shortNumber(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<text x="${sx(tick)}" y="${margin.top + plotH + 16}" font-size="11" ${font} text-anchor="middle">${shortNumber(tick)}</text>`,
    );
  }
  parts.push(axes(plotW, plotH), axisLabels(options.xLabel, options.yLabel));
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    // A gap in the samples (no reads that second, a metric not there) breaks the line: joining
    // across it would draw a slope nobody measured.
    const d = series.points
      .map(([x, y], index) => {
        const previous = series.points[index - 1];
        const move =
          previous === undefined ||
          (options.maxGap !== undefined && x - previous[0] > options.maxGap);
        return `${move ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      })
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"/>`);
  }
  parts.push(legend(options.series.map((series) => [series.name, series.color] as const)));
  if (all.length === 0 && options.emptyNote !== undefined)
    parts.push(centreNote(options.emptyNote));
  parts.push('</svg>');
  return parts.join('\n');
}

/** One row per item, dots at each percentile on a log-scaled x axis (ms). */
export function dotPlotSvg(options: {
  title: string;
  xLabel: string;
  rows: readonly { label: string; values: readonly (number | undefined)[] }[];
  keys: readonly string[];
}): string {
  const rowH = 24;
  const left = 330;
  const h = margin.top + margin.bottom + Math.max(1, options.rows.length) * rowH;
  const plotW = width - left - margin.right;
  const values = options.rows
    .flatMap((row) => row.values)
    .filter((v): v is number => v !== undefined && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...values))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(10, ...values)));
  const sx = (v: number) =>
    left +
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const parts: string[] = [svgOpen(h), title(options.title)];
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    parts.push(
      `<line x1="${sx(decade)}" x2="${sx(decade)}" y1="${margin.top}" y2="${h - margin.bottom}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${sx(decade)}" y="${h - margin.bottom + 16}" font-size="11" ${font} text-anchor="middle">${shortNumber(decade)}</text>`,
    );
  }
  options.rows.forEach((row, index) => {
    const y = margin.top + index * rowH + rowH / 2;
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" font-size="11" ${font} text-anchor="end">${escapeXml(row.label)}</text>`,
    );
    parts.push(
      `<line x1="${left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#f2f2f2"/>`,
    );
    row.values.forEach((value, key) => {
      if (value === undefined) return;
      parts.push(
        `<circle cx="${sx(value).toFixed(1)}" cy="${y}" r="4.5" fill="${palette[key % palette.length] ?? '#000'}"/>`,
      );
    });
  });
  parts.push(
    `<text x="${left + plotW / 2}" y="${h - 30}" font-size="12" ${font} text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    legend(
      options.keys.map((key, index) => [key, palette[index % palette.length] ?? '#000'] as const),
      h,
    ),
  );
  if (options.rows.length === 0) parts.push(centreNote('no load runs'));
  parts.push('</svg>');
  return parts.join('\n');
}

function svgOpen(h = height): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}"><rect width="${width}" height="${h}" fill="white"/>`;
}

function title(text: string): string {
  return `<text x="${width / 2}" y="24" font-size="16" ${font} text-anchor="middle" font-weight="bold">${escapeXml(text)}</text>`;
}

function axes(plotW: number, plotH: number): string {
  const x0 = margin.left;
  const y0 = margin.top + plotH;
  return `<path d="M${x0},${margin.top} L${x0},${y0} L${x0 + plotW},${y0}" fill="none" stroke="#333"/>`;
}

function axisLabels(xLabel: string, yLabel: string): string {
  const y = height - margin.bottom + 36;
  return (
    `<text x="${margin.left + (width - margin.left - margin.right) / 2}" y="${y}" font-size="12" ${font} text-anchor="middle">${escapeXml(xLabel)}</text>` +
    `<text x="18" y="${margin.top + (height - margin.top - margin.bottom) / 2}" font-size="12" ${font} text-anchor="middle" transform="rotate(-90 18 ${margin.top + (height - margin.top - margin.bottom) / 2})">${escapeXml(yLabel)}</text>`
  );
}

function legend(entries: readonly (readonly [string, string])[], h = height): string {
  let x = margin.left;
  const y = h - 12;
  return entries
    .map(([name, color]) => {
      const item = `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${color}"/><text x="${x + 16}" y="${y}" font-size="11" ${font}>${escapeXml(name)}</text>`;
      x += 28 + name.length * 6.5;
      return item;
    })
    .join('');
}

function centreNote(text: string): string {
  return `<text x="${width / 2}" y="${height / 2}" font-size="14" ${font} text-anchor="middle" fill="#a00">${escapeXml(text)}</text>`;
}

function shortNumber(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1_000) return `${value / 1_000}k`;
  return String(value);
}
