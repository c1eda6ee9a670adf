import { Counter, Gauge, Registry, collectDefaultMetrics, type Histogram } from 'prom-client';

/**
 * prom-client's default metrics include three gauges named `…_total` (the sum over the labelled
 * `nodejs_active_handles`/`…_requests`/`…_resources`). `_total` belongs to counters only, and
 * `promtool check metrics` refuses them; the labelled gauges carry the same numbers.
 */
const defaultGaugesNamedLikeCounters = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** A registry per service instance, passed in to whatever records metrics (never the global one). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  for (const name of defaultGaugesNamedLikeCounters) registry.removeSingleMetric(name);
  return registry;
}

/**
 * The least time between two reads of a gauge that asks a dependency when scraped (readiness
 * checks, consumer lag): Prometheus scrapes every 15 s by default, but a tighter scraper (the
 * bench samples every second, several Prometheus replicas) must not turn into load on Kafka,
 * Postgres and the registry. Scrapes within it see the last reading.
 */
export const scrapeReadMinIntervalMs = 5_000;

/**
 * `read` at most once per `minIntervalMs`, one read at a time: callers within the interval get
 * the last value, callers during a read share it. A failed read is not remembered.
 */
export function throttledRead<T>(
  read: () => Promise<T>,
  minIntervalMs: number = scrapeReadMinIntervalMs,
  now: () => number = Date.now,
): () => Promise<T> {
  let last: { readonly atMs: number; readonly value: T } | undefined;
  let reading: Promise<T> | undefined;
  return () => {
    if (last !== undefined && now() - last.atMs < minIntervalMs) return Promise.resolve(last.value);
    reading ??= read()
      .then((value) => {
        last = { atMs: now(), value };
        return value;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}

/**
 * `ledger_dependency_up{dependency}`: 1 when the named check passes, 0 when it fails, read when
 * Prometheus scrapes through `read`, at most once per scrapeReadMinIntervalMs (the ops routes share
 * their one-at-a-time readiness run with it, so a scrape during a burst of /readyz costs no extra
 * round of checks).
 */
export function registerDependencyGauge(
  registry: Registry,
  names: readonly string[],
  read: () => Promise<Record<string, string>>,
): void {
  if (names.length === 0) return;
  const readThrottled = throttledRead(read);
  new Gauge({
    name: 'ledger_dependency_up',
    help: 'Whether a dependency (or the readiness check named after it) answers: 1 up, 0 down',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      const results = await readThrottled();
      for (const name of names) this.set({ dependency: name }, results[name] === 'ok' ? 1 : 0);
    },
  });
}

/**
 * `<prefix>_http_requests_total{method,route,status_class}`: the request counter of RED, by
 * status class (2xx, 4xx, 5xx …) as availability SLOs count them. Derived from the duration
 * histogram's `_count` series when Prometheus scrapes, so a request pays for one histogram
 * observation only (the query API's cached reads are a few microseconds).
 */
export function registerRequestCounter(
  registry: Registry,
  name: string,
  durations: Histogram<'method' | 'route' | 'status'>,
): void {
  const countName = `${(durations as unknown as { name: string }).name}_count`;
  new Counter({
    name,
    help: 'HTTP requests by method, route template and status class (2xx, 3xx, 4xx, 5xx)',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers: [registry],
    async collect() {
      const snapshot = await durations.get();
      const totals = new Map<string, { labels: Record<string, string>; value: number }>();
      for (const { metricName, labels, value } of snapshot.values) {
        if (metricName !== countName) continue;
        const method = String(labels.method);
        const route = String(labels.route);
        const statusClass = `${String(labels.status).charAt(0)}xx`;
        const key = `${method} ${route} ${statusClass}`;
        const total = totals.get(key);
        if (total === undefined) {
          totals.set(key, { labels: { method, route, status_class: statusClass }, value });
        } else total.value += value;
      }
      this.reset();
      for (const { labels, value } of totals.values()) this.inc(labels, value);
    },
  });
}
