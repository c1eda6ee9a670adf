/** The little arithmetic the report needs, kept pure so it is unit tested. */

/** Nearest-rank percentile of unsorted samples (p in [0, 100]); undefined when empty. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  if (p < 0 || p > 100) throw new Error(`percentile ${p} outside [0, 100]`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** a / b, undefined when either is missing or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !(b > 0)) return undefined;
  return a / b;
}

/** Per-interval increases of a cumulative counter; a counter reset (process restart) counts from 0. */
export function deltas(values: readonly (number | undefined)[]): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let previous: number | undefined;
  for (const value of values) {
    if (value === undefined) {
      out.push(undefined);
      continue;
    }
    out.push(previous === undefined ? undefined : value >= previous ? value - previous : value);
    previous = value;
  }
  return out;
}

/** Round-number axis ticks covering [0, max]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max + step * 1e-9; tick += step)
    ticks.push(Number(tick.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number(((ticks.at(-1) ?? 0) + step).toPrecision(12)));
  return ticks;
}

export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(value < 10 ? 2 : 1)}×`;
}

/** Microseconds with one decimal, e.g. `37.9 µs`. */
export function formatMicros(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(1)} µs`;
}
