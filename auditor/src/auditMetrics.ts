import type { Server } from 'node:http';
import { closeServer, createMetricsRegistry, createOpsServer, listen } from '@ledger/runtime';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ViolationKind } from './auditTypes.ts';

export interface AuditMetrics {
  readonly registry: Registry;
  readonly eventsChecked: Counter<'type'>;
  readonly duplicates: Counter;
  readonly violations: Counter<'kind'>;
  /** Messages between the auditor's position and the partition's end, per partition. */
  readonly lag: Gauge<'partition'>;
  readonly pendingLegs: Gauge;
}

/** The auditor's series, on a registry of its own (runtime's createMetricsRegistry). */
export function createAuditMetrics(): AuditMetrics {
  const registry = createMetricsRegistry('auditor');
  const registers = [registry];
  const violations = new Counter({
    name: 'ledger_audit_violations_total',
    help: 'Violations found in the event log, by kind (the auditor stops at the first)',
    labelNames: ['kind'] as const,
    registers,
  });
  return {
    registry,
    eventsChecked: new Counter({
      name: 'ledger_audit_events_checked_total',
      help: 'Events read from the events topic and checked, by event type (duplicates apart)',
      labelNames: ['type'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'ledger_audit_identical_duplicates_total',
      help: 'Republished events identical to one already checked (at-least-once, not a violation)',
      registers,
    }),
    violations,
    lag: new Gauge({
      name: 'ledger_audit_lag_messages',
      help: "Messages of the events topic not yet checked, per partition (from the topic's end offsets)",
      labelNames: ['partition'] as const,
      registers,
    }),
    pendingLegs: new Gauge({
      name: 'ledger_audit_pending_legs',
      help: 'Legs read before an earlier version of their account, waiting for it',
      registers,
    }),
  };
}

export function countViolation(metrics: AuditMetrics, kind: ViolationKind): void {
  metrics.violations.inc({ kind });
}

/**
 * `GET /metrics` (and /healthz, /readyz) on `port`, through runtime's ops server. On 127.0.0.1
 * unless told otherwise: the auditor runs beside the ledger, not in front of it.
 */
export async function serveAuditMetrics(
  metrics: AuditMetrics,
  port: number,
  host = '127.0.0.1',
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createOpsServer({ registry: metrics.registry, readiness: [] });
  await listen(server, port, host);
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => closeServer(server),
  };
}
