import { dirname } from 'node:path';
import { stackLimits } from '../stackLimits.ts';
import type { PartSpec } from '../supervisor/supervisor.ts';
import { httpAnswers } from '../supervisor/waitFor.ts';

/**
 * Apicurio Registry on Java 17, storing its schemas in Postgres (database `apicurio`) so schema
 * ids survive restarts: with in-memory storage every restart renumbers them and messages already
 * in Kafka become undecodable.
 */
export interface RegistryNodeOptions {
  readonly runnerJar: string;
  readonly port: number;
  /** `jdbc:postgresql://127.0.0.1:5432/apicurio` */
  readonly jdbcUrl: string;
  readonly databaseUser: string;
  readonly logFile: string;
  readonly stackDir: string;
}

/** Apicurio idles at ~250 MB resident; this heap leaves room for bursts of registrations. */
const registryJvmOptions = ['-Xmx384m', '-Xms64m', '-Djava.awt.headless=true'];
export const registryDatabase = 'apicurio';

export function registrySystemProperties(options: RegistryNodeOptions): Record<string, string> {
  return {
    'quarkus.http.port': String(options.port),
    'quarkus.http.host': '127.0.0.1',
    'quarkus.banner.enabled': 'false',
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'postgresql',
    'apicurio.datasource.url': options.jdbcUrl,
    'apicurio.datasource.username': options.databaseUser,
    // The local server trusts 127.0.0.1, but the datasource refuses to start without a password.
    'apicurio.datasource.password': 'unused-with-trust-auth',
    // Tests delete the subjects they registered; Apicurio 3 forbids deletes unless enabled.
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    'apicurio.rest.deletion.group.enabled': 'true',
    'ledger.stack.part': `registry@${options.stackDir}`,
  };
}

export function registryPartSpec(options: RegistryNodeOptions): PartSpec {
  const properties = Object.entries(registrySystemProperties(options)).map(
    ([key, value]) => `-D${key}=${value}`,
  );
  const subjectsUrl = registrySubjectsUrl(options.port);
  return {
    name: 'registry',
    command: 'java',
    args: [...registryJvmOptions, ...properties, '-jar', options.runnerJar],
    cwd: dirname(options.runnerJar),
    env: process.env,
    logFile: options.logFile,
    identity: registryIdentity(options.stackDir),
    ports: [{ port: options.port, envName: 'LEDGER_REGISTRY_PORT' }],
    health: {
      description: `GET ${subjectsUrl} 200`,
      timeoutMs: stackLimits.registryHealthTimeoutMs,
      probe: () => httpAnswers(subjectsUrl),
    },
  };
}

/** Answers 200 once the registry serves the Confluent API: its health check. */
export function registrySubjectsUrl(port: number): string {
  return `http://127.0.0.1:${port}/apis/ccompat/v7/subjects`;
}

/** On the java command line: proves a pid is this checkout's registry. */
export function registryIdentity(stackDir: string): string {
  return `-Dledger.stack.part=registry@${stackDir}`;
}

/** postgres://user@host:port/db → jdbc:postgresql://host:port/apicurio and the user. */
export function registryJdbcTarget(postgresAdminUrl: string): { jdbcUrl: string; user: string } {
  const url = new URL(postgresAdminUrl);
  const port = url.port === '' ? '5432' : url.port;
  return {
    jdbcUrl: `jdbc:postgresql://${url.hostname}:${port}/${registryDatabase}`,
    user: decodeURIComponent(url.username) || 'postgres',
  };
}
