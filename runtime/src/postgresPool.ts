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
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
}
