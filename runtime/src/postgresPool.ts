import pg from 'pg';

export interface PostgresPoolOptions {
  readonly connectionString: string;
  /** Schema the ledger lives in; tests give each run its own. */
  readonly schema?: string;
  readonly max: number;
  readonly applicationName: string;
  /**
   * A connection failed (Postgres restarted or terminated it). The pool drops it and opens a new
   * one on the next query; without a listener pg's 'error' event would be an uncaught exception
   * that kills the process.
   */
  readonly onConnectionError?: (error: Error) => void;
}

export const postgresPoolMax = 64;
export const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

// int8 and numeric come back as strings; callers turn them into bigint, never a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  if (options.max < 1 || options.max > postgresPoolMax) {
    throw new Error(`pool max ${options.max} is outside [1, ${postgresPoolMax}]`);
  }
  if (options.schema !== undefined && !schemaNamePattern.test(options.schema)) {
    throw new Error(`schema name ${options.schema} does not match ${schemaNamePattern.source}`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    options: sessionOptions(options.schema),
  });
  const onError = options.onConnectionError ?? (() => undefined);
  pool.on('error', onError);
  // A client checked out of the pool (a transaction waiting on our code) whose connection Postgres
  // terminates emits 'error' on itself, not on the pool: without a listener that is an uncaught
  // exception too. Its next statement fails instead, and the caller's retry takes a new client.
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** SQLSTATEs of a server that is going away or not taking connections yet (class 08, 57P0x). */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
const unavailableErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** node-postgres reports a dropped socket and a pool connect timeout by message only. */
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended',
];

/**
 * Whether a failed statement failed because Postgres is unreachable (restart, failover, network),
 * not because of the statement: the same work may succeed once Postgres is back. A statement
 * whose connection dropped may or may not have committed; every caller that retries re-reads its
 * stored offsets in the retried transaction, so a commit that did land is recognised.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || unavailableStates.has(code) || unavailableErrnos.has(code)) {
      return true;
    }
  }
  if (unavailableMessages.some((message) => error.message.includes(message))) return true;
  return error.cause !== undefined && isPostgresUnavailable(error.cause);
}

/**
 * Every session runs without parallel query: the services' statements are short and indexed,
 * and on a small machine a parallel plan takes cores from Kafka and the services while each
 * worker gets its own work_mem (a misestimated parallel hash once took 6.7 GB per worker here
 * and the kernel killed Postgres).
 */
function sessionOptions(schema: string | undefined): string {
  const noParallel = '-c max_parallel_workers_per_gather=0';
  return schema === undefined ? noParallel : `${noParallel} -c search_path=${schema}`;
}
