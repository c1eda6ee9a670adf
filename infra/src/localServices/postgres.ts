import pg from 'pg';
import { schemaNamePattern } from '@ledger/runtime';
import { failures, oneLine } from '../failures.ts';
import type { Reporter } from '../reporter.ts';
import { CommandNotFound, lastLine, runCommand } from '../processes/runCommand.ts';
import { stackLimits } from '../stackLimits.ts';
import { waitUntil } from '../supervisor/waitFor.ts';

/**
 * Postgres runs as the machine's own service (Debian cluster, trust auth on 127.0.0.1). The stack
 * only starts it when it is down and it is a local cluster on the port we want, remembers that it
 * did, and stops it on the way out only in that case.
 */
export interface PostgresHandle {
  /** `15/main` when we started that cluster; undefined when it was already running. */
  readonly startedCluster: string | undefined;
}

const connectTimeoutMs = 2_000;

export async function ensurePostgres(
  adminUrl: string,
  reporter: Reporter,
): Promise<PostgresHandle> {
  const target = describeTarget(adminUrl);
  const first = await tryConnect(adminUrl);
  if (first === undefined) {
    reporter.line('postgres', `running at ${target}`);
    return { startedCluster: undefined };
  }
  const start = await startLocalCluster(adminUrl);
  if (start.started !== undefined) {
    const outcome = await waitUntil(async () => (await tryConnect(adminUrl)) === undefined, {
      timeoutMs: stackLimits.localServiceStartTimeoutMs,
    });
    if (outcome.kind === 'ok') {
      reporter.line('postgres', `was down: started cluster ${start.started} at ${target}`);
      return { startedCluster: start.started };
    }
  }
  const last = (await tryConnect(adminUrl)) ?? first;
  throw failures.postgresUnreachable(target, last, start.detail);
}

export async function stopPostgresCluster(cluster: string, reporter: Reporter): Promise<void> {
  const [version, name] = cluster.split('/');
  if (version === undefined || name === undefined) return;
  const result = await runCommand('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    version,
    name,
    'stop',
  ]);
  reporter.line(
    'postgres',
    result.code === 0
      ? `stopped cluster ${cluster} (we started it)`
      : `stopping ${cluster} failed: ${lastLine(result.output)}`,
  );
}

/** Creates a database unless it exists (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  if (!schemaNamePattern.test(database))
    throw new Error(`database name ${database} is not a plain identifier`);
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  try {
    await client.connect();
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount !== 0) return false;
    try {
      await client.query(`create database "${database}"`);
    } catch (error) {
      // Two starts racing: the other one created it first.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
    return true;
  } catch (error) {
    throw failures.postgresSetupFailed(`creating database ${database}`, errorText(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** undefined when a query succeeds, else why not. */
export async function tryConnect(url: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return errorText(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface LocalCluster {
  readonly version: string;
  readonly name: string;
  readonly status: string;
}

/** The Debian cluster configured for the URL's port, or why there is none to manage. */
async function findLocalCluster(url: string): Promise<LocalCluster | { detail: string }> {
  const { hostname, port } = new URL(url);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname)) {
    return { detail: `${hostname} is not this machine, nothing to start` };
  }
  const wantedPort = port === '' ? '5432' : port;
  let listing: string;
  try {
    const result = await runCommand('pg_lsclusters', ['--no-header']);
    listing = result.output;
  } catch (error) {
    if (error instanceof CommandNotFound)
      return { detail: 'pg_lsclusters/pg_ctlcluster not installed' };
    throw error;
  }
  // "15  main    5432 down   postgres /var/lib/postgresql/15/main /var/log/…"
  const clusters = listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((columns) => columns.length >= 4);
  const match = clusters.find((columns) => columns[2] === wantedPort);
  if (match === undefined)
    return { detail: `no local cluster is configured for port ${wantedPort}` };
  const [version = '', name = '', , status = ''] = match;
  return { version, name, status };
}

/** Finds the Debian cluster configured for the wanted port and starts it if it is down. */
async function startLocalCluster(url: string): Promise<{ started?: string; detail: string }> {
  const found = await findLocalCluster(url);
  if ('detail' in found) return found;
  const { version, name, status } = found;
  const cluster = `${version}/${name}`;
  if (status.startsWith('online')) {
    return { detail: `cluster ${cluster} is already online but refuses our connection` };
  }
  const result = await runCommand('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    version,
    name,
    'start',
  ]);
  if (result.code !== 0) {
    return {
      detail: `pg_ctlcluster ${version} ${name} start: ${lastLine(result.output) || 'failed'}`,
    };
  }
  return { started: cluster, detail: `started ${cluster}` };
}

/**
 * Restarts the local cluster serving `url` (`pg_ctlcluster … restart`, fast shutdown: every
 * session is terminated), for the fault suite; resolves once it accepts connections again.
 */
export async function restartLocalCluster(url: string): Promise<void> {
  const found = await findLocalCluster(url);
  if ('detail' in found) throw new Error(`cannot restart Postgres: ${found.detail}`);
  const result = await runCommand('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    found.version,
    found.name,
    'restart',
    '-m',
    'fast',
  ]);
  if (result.code !== 0) {
    throw new Error(`pg_ctlcluster restart: ${lastLine(result.output) || 'failed'}`);
  }
  const outcome = await waitUntil(async () => (await tryConnect(url)) === undefined, {
    timeoutMs: stackLimits.localServiceStartTimeoutMs,
  });
  if (outcome.kind !== 'ok') throw new Error(`Postgres did not come back after its restart`);
}

function describeTarget(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}:${port === '' ? '5432' : port}${pathname}`;
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError) return oneLine(error.errors.map(errorText).join('; '), 200);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  return oneLine(
    typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message,
    200,
  );
}
