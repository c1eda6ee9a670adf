import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { readApiKeysConfig, type ApiKeysConfig } from './apiKeys.ts';
import { createKafkaClient } from './kafkaClient.ts';
import { stringFromEnv } from './limits.ts';
import { createLogger, parseLogLevel, type Logger, type LogLevel } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { waitForDependency } from './dependencyWait.ts';
import { createPostgresPool, isPostgresUnavailable } from './postgresPool.ts';
import { crashOnUnhandled, onTerminate } from './shutdown.ts';
import { readStackConfig, topicNames, type StackConfig, type TopicNames } from './stackConfig.ts';
import { pinTickObjectShape } from './tickObjectPin.ts';
import { startTracing } from './tracing.ts';

/**
 * What the four services share around their own logic: the settings every one of them reads,
 * the clients every one of them opens and the process lifecycle of their main.ts. Each service's wiring.ts adds what is its own
 * (producers, Redis, serde, consumers, HTTP). The serde is not built here: @ledger/schemas
 * depends on this package.
 */
export interface ServiceConfig {
  readonly stack: StackConfig;
  readonly logLevel: LogLevel;
  /** Schema the ledger's tables live in; every service must name the same one. */
  readonly postgresSchema: string;
  /** Each service sizes its pool from its own variable and bounds. */
  readonly postgresPoolMax: number;
  /** LEDGER_API_KEYS / LEDGER_API_KEYS_FILE: the APIs' /v1 routes and every ops server. */
  readonly apiKeys: ApiKeysConfig;
}

/** The settings named alike for every service (the pool size is each service's own). */
export function readServiceConfig(env: NodeJS.ProcessEnv): Omit<ServiceConfig, 'postgresPoolMax'> {
  return {
    stack: readStackConfig(env),
    logLevel: parseLogLevel(env.LEDGER_LOG_LEVEL),
    postgresSchema: stringFromEnv(env, 'LEDGER_PG_SCHEMA', 'ledger'),
    apiKeys: readApiKeysConfig(env),
  };
}

export interface ServiceClients {
  /** The service's Prometheus registry, labelled with its name. */
  readonly registry: Registry;
  readonly topics: TopicNames;
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  /** Connected: for the readiness probe and lag reads. */
  readonly admin: Admin;
  /** The last step of a graceful stop: disconnects the admin client, then ends the pool. */
  close(): Promise<void>;
}

/** Opens the clients every service uses, each named after the service (logs, pg_stat_activity). */
export async function connectServiceClients(
  service: string,
  config: ServiceConfig,
  logger: Logger,
): Promise<ServiceClients> {
  const pool = createPostgresPool({
    connectionString: config.stack.postgresUrl,
    schema: config.postgresSchema,
    max: config.postgresPoolMax,
    applicationName: service,
    onConnectionError: (error) => logger.warn('Postgres connection lost', { error }),
  });
  const kafka = createKafkaClient({
    clientId: service,
    brokers: config.stack.kafkaBrokers,
    logger,
  });
  const admin = kafka.admin();
  // A service started while Postgres or the broker restarts waits for them instead of exiting.
  await waitForDependency('postgres', () => pool.query('select 1'), {
    logger,
    isUnavailable: isPostgresUnavailable,
  });
  await waitForDependency('kafka', () => admin.connect(), { logger });
  return {
    registry: createMetricsRegistry(service),
    topics: topicNames(config.stack.topicPrefix),
    pool,
    kafka,
    admin,
    async close() {
      await admin.disconnect();
      await pool.end();
    },
  };
}

/**
 * The whole of a service's main.ts: one tick object pinned before anything runs
 * (tickObjectPin.ts), a JSON logger bound to the service, the OpenTelemetry SDK (tracing.ts,
 * before any client exists), a crash on anything unhandled (a failed start included, exit 70),
 * `start`, then a graceful stop on SIGTERM/SIGINT bounded by shutdownTimeoutMs, which flushes
 * the spans still buffered last.
 */
export async function runService(
  service: string,
  logLevel: LogLevel,
  start: (logger: Logger) => Promise<{ stop(): Promise<void> }>,
): Promise<void> {
  const tickObjectPinned = pinTickObjectShape();
  const logger = createLogger({ level: logLevel, bindings: { service } });
  crashOnUnhandled(logger);
  const tracing = startTracing(service);
  if (!tickObjectPinned) {
    logger.warn('no process.nextTick tick object to pin: a full GC may slow every tick for good');
  }
  const running = await start(logger);
  onTerminate(logger, async () => {
    try {
      await running.stop();
    } finally {
      await tracing.shutdown().catch((error: unknown) => {
        logger.warn('could not flush the last spans', { error });
      });
    }
  });
}
