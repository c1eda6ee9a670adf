/**
 * Reading the services' Prometheus endpoints: sums of counters and gauges, by name, optionally
 * filtered by a label value. Text format only (what prom-client serves).
 */
export type MetricSamples = ReadonlyMap<string, readonly { labels: string; value: number }[]>;

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

export function parsePrometheusText(text: string): MetricSamples {
  const samples = new Map<string, { labels: string; value: number }[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (match === null) continue;
    const [, name = '', labels = '', raw = ''] = match;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const list = samples.get(name) ?? [];
    list.push({ labels, value });
    samples.set(name, list);
  }
  return samples;
}

/** Sum over all label sets of `name`, or of those whose labels contain `labelFilter`. */
export function metricSum(
  samples: MetricSamples,
  name: string,
  labelFilter?: string,
): number | undefined {
  const list = samples.get(name);
  if (list === undefined) return undefined;
  return list
    .filter((sample) => labelFilter === undefined || sample.labels.includes(labelFilter))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Sum of every metric whose name matches (for a service whose metric names are not fixed yet). */
export function metricSumMatching(samples: MetricSamples, pattern: RegExp): number | undefined {
  let total: number | undefined;
  for (const [name, list] of samples) {
    if (!pattern.test(name)) continue;
    total = (total ?? 0) + list.reduce((sum, sample) => sum + sample.value, 0);
  }
  return total;
}

export async function fetchMetrics(baseUrl: string): Promise<MetricSamples | undefined> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (response.status !== 200) return undefined;
    return parsePrometheusText(await response.text());
  } catch {
    return undefined;
  }
}
