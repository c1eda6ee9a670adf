import { Histogram, type Registry } from 'prom-client';

type HistogramSnapshot = Awaited<ReturnType<Histogram<'method' | 'route' | 'status'>['get']>>;

/**
 * HTTP request durations by (method, route template, status), as a prom-client histogram whose
 * recording path is ours. prom-client validates and hashes the label values on every observe,
 * even through a bound child, which measured at microseconds per request: more than the whole
 * cached balance read it times. Here a series is found through three small maps (no string built
 * per request) and recording is a bucket scan over a typed array. The registry still scrapes it as an ordinary histogram: `get()`
 * builds the same `_bucket` / `_sum` / `_count` lines prom-client's own would.
 */
export class RequestDurations extends Histogram<'method' | 'route' | 'status'> {
  private readonly byMethod = new Map<string, Map<string, Map<number, Series>>>();
  private readonly series: Series[] = [];
  private readonly bounds: readonly number[];
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(options: {
    name: string;
    help: string;
    buckets: readonly number[];
    registry: Registry;
  }) {
    super({
      name: options.name,
      help: options.help,
      labelNames: ['method', 'route', 'status'],
      buckets: [...options.buckets],
      registers: [options.registry],
    });
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    this.metricName = options.name;
    this.metricHelp = options.help;
  }

  /** One finished request; `seconds` is its duration. */
  record(method: string, route: string, status: number, seconds: number): void {
    const series = this.seriesOf(method, route, status);
    if (series === undefined) return; // routes are templates: the bound cannot be reached
    series.sum += seconds;
    series.count += 1;
    for (let index = 0; index < this.bounds.length; index += 1) {
      if (seconds <= (this.bounds[index] ?? Infinity)) {
        series.buckets[index] = (series.buckets[index] ?? 0) + 1;
        return;
      }
    }
  }

  /**
   * Found through nested maps rather than one `${method} ${route} ${status}` key: method and
   * route are constant strings (their hashes are cached) and status a small integer, so a hit
   * builds no string per request.
   */
  private seriesOf(method: string, route: string, status: number): Series | undefined {
    let byRoute = this.byMethod.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.byMethod.set(method, byRoute);
    }
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      byRoute.set(route, byStatus);
    }
    let series = byStatus.get(status);
    if (series === undefined) {
      if (this.series.length >= httpSeriesMax) return undefined;
      series = {
        labels: { method, route, status: String(status) },
        buckets: new Float64Array(this.bounds.length),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, series);
      this.series.push(series);
    }
    return series;
  }

  /** What the registry calls for the text format when a metric has it (prom-client's does). */
  getForPromString(): Promise<HistogramSnapshot> {
    return this.get();
  }

  override get(): Promise<HistogramSnapshot> {
    const bucketName = `${this.metricName}_bucket`;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] =
      [];
    for (const { labels, buckets, sum, count } of this.series) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += buckets[index] ?? 0;
        values.push({
          labels: { ...labels, le: bound },
          value: cumulative,
          metricName: bucketName,
        });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: bucketName });
      values.push({ labels, value: sum, metricName: `${this.metricName}_sum` });
      values.push({ labels, value: count, metricName: `${this.metricName}_count` });
    }
    const snapshot = {
      name: this.metricName,
      help: this.metricHelp,
      type: 'histogram',
      values,
      aggregator: 'sum',
    };
    // prom-client's declared type has no room for `le` (nor its enum at runtime), though its own
    // histogram returns exactly this shape; the registry formats it like any histogram.
    return Promise.resolve(snapshot as unknown as HistogramSnapshot);
  }
}

/** Distinct (method, route, status) series held; routes are templates, so this stays small. */
export const httpSeriesMax = 256;

interface Series {
  readonly labels: { method: string; route: string; status: string };
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}
