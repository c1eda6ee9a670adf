import type { StackConfig } from '@ledger/runtime';
import { assertJavaAvailable } from '../distribution/javaCheck.ts';
import {
  ensureKafkaDistribution,
  type KafkaDistribution,
} from '../distribution/kafkaDistribution.ts';
import {
  ensureRegistryDistribution,
  type RegistryDistribution,
} from '../distribution/registryDistribution.ts';
import { failures, oneLine, StackFailure } from '../failures.ts';
import { ensureDatabase, ensurePostgres, type PostgresHandle } from '../localServices/postgres.ts';
import { ensureRedis, type RedisHandle } from '../localServices/redis.ts';
import { defaultLedgerSchema, migrateLatest, migrationStatus } from '../migrations/migrator.ts';
import type { StackPaths } from '../paths.ts';
import { registryDatabase } from '../registry/registryNode.ts';
import type { Reporter } from '../reporter.ts';

/**
 * What must be in place before the JVM parts start: a JDK, the fetched distributions, Postgres
 * (with the ledger and registry databases, migrated) and Redis.
 */
export interface Distributions {
  readonly kafka: KafkaDistribution;
  readonly registry: RegistryDistribution;
}

export async function prepareDistributions(
  paths: StackPaths,
  reporter: Reporter,
): Promise<Distributions> {
  const java = await assertJavaAvailable();
  reporter.line('java', `version ${java}`);
  const kafka = await ensureKafkaDistribution({ cacheDir: paths.cacheDir, reporter });
  const registry = await ensureRegistryDistribution({ cacheDir: paths.cacheDir, reporter });
  return { kafka, registry };
}

export interface DatabaseHandles {
  readonly postgres: PostgresHandle;
  readonly redis: RedisHandle;
}

/**
 * Ensures Postgres and Redis run; `onStarted` hears at once about a service we had to start, so
 * it is recorded (and stopped later) even if a following step fails.
 */
export async function prepareDatabases(
  config: StackConfig,
  paths: StackPaths,
  reporter: Reporter,
  onStarted: (started: { postgresCluster?: string; redisUrl?: string }) => void,
): Promise<DatabaseHandles> {
  const postgres = await ensurePostgres(config.postgresAdminUrl, reporter);
  if (postgres.startedCluster !== undefined)
    onStarted({ postgresCluster: postgres.startedCluster });
  const ledgerDatabase = databaseOf(config.postgresUrl);
  for (const database of [ledgerDatabase, registryDatabase]) {
    if (await ensureDatabase(config.postgresAdminUrl, database)) {
      reporter.line('postgres', `created database ${database}`);
    }
  }
  await migrateLedger(config.postgresUrl, reporter);
  const redis = await ensureRedis(config.redisUrl, paths.stackDir, reporter);
  if (redis.startedPort !== undefined) onStarted({ redisUrl: config.redisUrl });
  return { postgres, redis };
}

export async function migrateLedger(connectionString: string, reporter: Reporter): Promise<void> {
  const schema = defaultLedgerSchema;
  try {
    const applied = await migrateLatest({ connectionString, schema });
    if (applied.length > 0) {
      reporter.line('migrations', `applied ${applied.join(', ')} in schema ${schema}`);
      return;
    }
    const status = await migrationStatus({ connectionString, schema });
    reporter.line('migrations', `schema ${schema} up to date (${status.applied.length} applied)`);
  } catch (error) {
    if (error instanceof StackFailure) throw error;
    throw failures.migrationsFailed(
      schema,
      oneLine(error instanceof Error ? error.message : String(error), 240),
    );
  }
}

/** The database a Postgres URL names (`postgres` when it names none). */
export function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? 'postgres' : name;
}
