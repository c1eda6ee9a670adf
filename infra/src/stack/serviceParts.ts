import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StackConfig } from '@ledger/runtime';
import type { Reporter } from '../reporter.ts';
import { stackLimits } from '../stackLimits.ts';
import type { PartSpec } from '../supervisor/supervisor.ts';
import { httpAnswers } from '../supervisor/waitFor.ts';
import { servicePort, type ServiceName } from './stackEndpoints.ts';

/**
 * The four services, each `node --import tsx <service>/src/main.ts` from the repo root with the
 * stack's addresses in its environment. A service whose main.ts does not exist yet is skipped with
 * one line, so a partial checkout still runs.
 */
const portVariable: Record<ServiceName, string> = {
  'command-api': 'LEDGER_COMMAND_API_PORT',
  'query-api': 'LEDGER_QUERY_API_PORT',
  'ledger-processor': 'LEDGER_PROCESSOR_PORT',
  projector: 'LEDGER_PROJECTOR_PORT',
};

/** The addresses every service reads through readStackConfig, made explicit for the children. */
export function stackEnvironment(config: StackConfig): Record<string, string> {
  return {
    LEDGER_KAFKA_BROKERS: config.kafkaBrokers.join(','),
    LEDGER_KAFKA_NODES: String(config.kafkaNodes),
    LEDGER_REGISTRY_URL: config.registryUrl,
    LEDGER_PG_URL: config.postgresUrl,
    LEDGER_PG_ADMIN_URL: config.postgresAdminUrl,
    LEDGER_REDIS_URL: config.redisUrl,
    LEDGER_TOPIC_PREFIX: config.topicPrefix,
    LEDGER_TOPIC_PARTITIONS: String(config.topicPartitions),
    LEDGER_COMMAND_API_PORT: String(config.ports.commandApi),
    LEDGER_QUERY_API_PORT: String(config.ports.queryApi),
    LEDGER_PROCESSOR_PORT: String(config.ports.ledgerProcessor),
    LEDGER_PROJECTOR_PORT: String(config.ports.projector),
  };
}

export interface ServicePartsOptions {
  readonly repoRoot: string;
  readonly logsDir: string;
  readonly config: StackConfig;
  readonly reporter: Reporter;
  /** Echo every service log line, not only warnings and errors. */
  readonly verbose: boolean;
}

/**
 * Readers first, the edge last: the supervisor stops in reverse, so command-api stops taking
 * commands before the processor that drains them, and the query side goes last.
 */
export const serviceStartOrder: readonly ServiceName[] = [
  'query-api',
  'projector',
  'ledger-processor',
  'command-api',
];

/** Specs of the services whose main.ts exists, in start order. */
export function serviceParts(options: ServicePartsOptions): PartSpec[] {
  const specs: PartSpec[] = [];
  for (const service of serviceStartOrder) {
    const main = join(options.repoRoot, service, 'src', 'main.ts');
    if (!existsSync(main)) {
      options.reporter.line(
        service,
        `${relative(options.repoRoot, main)} does not exist yet, skipped`,
      );
      continue;
    }
    const port = servicePort(options.config, service);
    const readyUrl = serviceReadyUrl(port);
    specs.push({
      name: service,
      command: process.execPath,
      args: ['--import', 'tsx', main],
      cwd: options.repoRoot,
      env: { ...process.env, ...stackEnvironment(options.config) },
      logFile: join(options.logsDir, `${service}.log`),
      identity: main,
      ports: [{ port, envName: portVariable[service] }],
      health: {
        description: `GET ${readyUrl} 200`,
        timeoutMs: stackLimits.serviceHealthTimeoutMs,
        probe: () => httpAnswers(readyUrl),
      },
      onLogLine: (line) => echoServiceLine(service, line, options),
    });
  }
  return specs;
}

/** Answers 200 once the service is ready: its health check. */
export function serviceReadyUrl(port: number): string {
  return `http://127.0.0.1:${port}/readyz`;
}

/** Services log JSON lines; the console shows warnings, errors and anything not JSON (crashes). */
function echoServiceLine(service: ServiceName, line: string, options: ServicePartsOptions): void {
  let entry: { level?: unknown; msg?: unknown } | undefined;
  try {
    entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
  } catch {
    entry = undefined;
  }
  if (entry === undefined || typeof entry !== 'object' || entry === null) {
    options.reporter.line(service, line);
    return;
  }
  const level = typeof entry.level === 'string' ? entry.level : 'info';
  if (options.verbose || level === 'warn' || level === 'error') {
    options.reporter.line(service, `${level} ${typeof entry.msg === 'string' ? entry.msg : line}`);
  }
}
