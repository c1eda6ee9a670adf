import type { AddressInfo } from 'node:net';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { openApiKeys, readApiKeysConfig, type ApiKeysConfig } from './apiKeys.ts';
import { registerConsumerLagGauge } from './consumerLag.ts';
import { createKafkaClient } from './kafkaClient.ts';
import { stringFromEnv } from './limits.ts';
import { createLogger, parseLogLevel, type Logger, type LogLevel } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { closeServer, createOpsServer, listen } from './opsServer.ts';
import { waitForDependency } from './dependencyWait.ts';
import { createPostgresPool, isPostgresUnavailable } from './postgresPool.ts';
import type { ReadinessCheck } from './readiness.ts';
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

/** The ops side of a service that serves no API, as startConsumerOps started it. */
export interface ConsumerOps {
  /** The port it listens on (the real one when asked for 0). */
  readonly port: number;
  /** From now on /readyz answers 503 `draining`: the first step of a graceful stop. */
  drain(): void;
  /** Closes the server and the key file's watcher: after the consumer stopped. */
  close(): Promise<void>;
}

/**
 * The ops side of the ledger processor and the projector, which serve no API: `/healthz`,
 * `/readyz` and `/metrics` on their own port (with API keys on, /metrics and /readyz's details
 * need ops:read), and their consumer group's lag per partition on /metrics.
 */
export async function startConsumerOps(options: {
  readonly clients: Pick<ServiceClients, 'registry' | 'admin'>;
  readonly config: Pick<ServiceConfig, 'apiKeys'>;
  readonly logger: Logger;
  readonly port: number;
  readonly readiness: readonly ReadinessCheck[];
  readonly observedDependencies?: readonly ReadinessCheck[];
  readonly consumerLag: { readonly groupId: string; readonly topic: string };
}): Promise<ConsumerOps> {
  const { registry, admin } = options.clients;
  let accepting = true;
  const opsKeys = openApiKeys(options.config.apiKeys, options.logger);
  const server = createOpsServer({
    registry,
    readiness: options.readiness,
    ...(options.observedDependencies === undefined
      ? {}
      : { observedDependencies: options.observedDependencies }),
    isAccepting: () => accepting,
    apiKeys: opsKeys.apiKeys,
  });
  registerConsumerLagGauge(registry, { admin, ...options.consumerLag, logger: options.logger });
  await listen(server, options.port);
  return {
    port: (server.address() as AddressInfo).port,
    drain() {
      accepting = false;
    },
    async close() {
      await closeServer(server);
      opsKeys.close();
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
