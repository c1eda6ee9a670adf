import { commandApiMetrics } from '@ledger/command-api/commandApiMetrics';
import { registerConservationGauge } from '@ledger/ledger-processor/conservationCheck';
import {
  createProcessorMetrics,
  registerOutboxQueueGauge,
} from '@ledger/ledger-processor/processorMetrics';
import { createProjectorMetrics } from '@ledger/projector/projectorMetrics';
import { createQueryApiMetrics } from '@ledger/query-api/queryApiMetrics';
import {
  createLogger,
  createMetricsRegistry,
  registerConsumerLagGauge,
  registerDependencyGauge,
  type LagAdmin,
} from '@ledger/runtime';
import type pg from 'pg';
import { Histogram, Summary, type Registry } from 'prom-client';

/**
 * The series names each service exposes, from the services' own code: each one's metrics are
 * created on a fresh registry by the functions its wiring calls (createMetricsRegistry with
 * prom-client's defaults, the service's metric factory, the runtime's dependency and lag
 * gauges), and read back from the registry without collecting (no Kafka, Postgres or Redis is
 * touched). Histograms expand to their `_bucket`, `_sum` and `_count` series, summaries to the
 * name, `_sum` and `_count`.
 */
export function registeredMetricNames(): Map<string, Set<string>> {
  const logger = createLogger({ write: () => {} });
  const admin = {} as LagAdmin; // never called: gauges are not collected here
  const lag = (registry: Registry) =>
    registerConsumerLagGauge(registry, { admin, groupId: 'group', topic: 'topic', logger });

  const byService = new Map<string, Set<string>>();
  const service = (name: string, register: (registry: Registry) => void) => {
    const registry = createMetricsRegistry(name);
    // Every service's ops routes have readiness checks.
    registerDependencyGauge(registry, ['postgres'], () => Promise.resolve({ postgres: 'ok' }));
    register(registry);
    byService.set(name, seriesNames(registry));
  };

  service('command-api', (registry) => {
    commandApiMetrics(registry);
  });
  service('ledger-processor', (registry) => {
    createProcessorMetrics(registry);
    lag(registry);
    registerOutboxQueueGauge(registry, { queued: () => 0 });
    registerConservationGauge(registry, { pool: {} as pg.Pool, logger, now: Date.now });
  });
  service('projector', (registry) => {
    createProjectorMetrics(registry);
    lag(registry);
  });
  service('query-api', (registry) => {
    createQueryApiMetrics(registry, { cacheEntries: () => 0 });
    lag(registry);
  });
  return byService;
}

/** Series Prometheus itself adds to every scraped target. */
export const scrapeSeriesNames: readonly string[] = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

function seriesNames(registry: Registry): Set<string> {
  const names = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name } = metric;
    if ((metric as unknown) instanceof Histogram) {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else if ((metric as unknown) instanceof Summary) {
      for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else names.add(name);
  }
  return names;
}
