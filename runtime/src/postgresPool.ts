import pg from 'pg';

export interface PostgresPoolOptions {
  readonly connectionString: string;
  /** Schema the ledger lives in; tests give each run its own. */
  readonly schema?: string;
  readonly max: number;
  readonly applicationName: string;
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
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    options: sessionOptions(options.schema),
  });
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
