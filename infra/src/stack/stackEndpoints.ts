import type { StackConfig } from '@ledger/runtime';
import { formatElapsed } from '../reporter.ts';

/**
 * Where a user (or a test) reaches the running stack. Printed on the `stack ready` line and on
 * reuse, and kept in the state file.
 */
export interface StackEndpoint {
  readonly name: string;
  readonly url: string;
}

export type ServiceName = 'command-api' | 'ledger-processor' | 'projector' | 'query-api';
export const serviceNames: readonly ServiceName[] = [
  'command-api',
  'ledger-processor',
  'projector',
  'query-api',
];

export function servicePort(config: StackConfig, service: ServiceName): number {
  switch (service) {
    case 'command-api':
      return config.ports.commandApi;
    case 'query-api':
      return config.ports.queryApi;
    case 'ledger-processor':
      return config.ports.ledgerProcessor;
    case 'projector':
      return config.ports.projector;
  }
}

/** Endpoints of the parts that run: dependencies always, services only those started. */
export function stackEndpoints(
  config: StackConfig,
  startedServices: readonly ServiceName[],
): StackEndpoint[] {
  const base = (service: ServiceName) => `http://127.0.0.1:${servicePort(config, service)}`;
  const has = (service: ServiceName) => startedServices.includes(service);
  return [
    ...(has('command-api') ? [{ name: 'command API', url: base('command-api') }] : []),
    ...(has('query-api') ? [{ name: 'query API', url: base('query-api') }] : []),
    { name: 'registry', url: config.registryUrl },
    { name: 'Kafka', url: config.kafkaBrokers.join(',') },
    { name: 'Postgres', url: config.postgresUrl },
    { name: 'Redis', url: config.redisUrl },
    ...startedServices.map((service) => ({
      name: `${service} metrics`,
      url: `${base(service)}/metrics`,
    })),
  ];
}

export function formatEndpoints(endpoints: readonly StackEndpoint[]): string {
  return endpoints.map((endpoint) => `${endpoint.name} ${endpoint.url}`).join(' | ');
}

/** The line scripts wait for: it contains exactly `stack ready`. */
export function readyLine(
  elapsedMs: number,
  endpoints: readonly StackEndpoint[],
  note = '',
): string {
  return `stack ready in ${formatElapsed(elapsedMs)}${note}: ${formatEndpoints(endpoints)}`;
}

export function reuseLine(
  found: { pid: number; startedAt: string; mode: string },
  endpoints: readonly StackEndpoint[],
): string {
  return (
    `stack already running (pid ${found.pid}, ${found.mode}) since ${found.startedAt}, reusing it: ` +
    formatEndpoints(endpoints)
  );
}
