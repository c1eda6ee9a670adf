import { Registry, collectDefaultMetrics } from 'prom-client';

/** A registry per service instance, passed in to whatever records metrics (never the global one). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
