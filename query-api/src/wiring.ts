import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeServer,
  connectServiceClients,
  createRedisClient,
  exitForRestart,
  kafkaCheck,
  listen,
  openApiKeys,
  postgresCheck,
  redisCheck,
  registerConsumerLagGauge,
  registryCheck,
  type IdGenerator,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde } from '@ledger/schemas';
import type { Registry } from 'prom-client';
import type { BalanceCache } from './balanceCache.ts';
import { createChangeFeed } from './changeFeed.ts';
import type { QueryApiConfig } from './config.ts';
import { createRequestIdGenerator } from './http/requestIds.ts';
import { createReadModels } from './postgres/readModels.ts';
import { createQueryApp } from './queryApp.ts';

export const service = 'query-api';

export interface RunningQueryApi {
  readonly server: Server;
  readonly port: number;
  readonly registry: Registry;
  readonly cache: BalanceCache;
  /** The consumer group this instance reads ledger.balances with. */
  readonly groupId: string;
  /** Graceful stop: readyz says draining, streams close, waits end, consumer stops, server drains. */
  stop(): Promise<void>;
}

export interface QueryApiOverrides {
  /** 0 picks a free port (tests run several instances side by side). */
  readonly port?: number;
  readonly onFatal?: (error: unknown) => void;
  readonly ids?: IdGenerator;
}

/**
 * Connects to Postgres, Kafka and the schema registry, starts the change feed and listens.
 * Shared by main.ts and the integration tests, so both run the same assembly.
 */
export async function startQueryApi(
  config: QueryApiConfig,
  logger: Logger,
  overrides: QueryApiOverrides = {},
): Promise<RunningQueryApi> {
  const clients = await connectServiceClients(service, config, logger);
  const { registry, topics, pool, kafka, admin } = clients;
  const now = () => Date.now();
  const onFatal = overrides.onFatal ?? exitForRestart(logger);
  const serde = await connectLedgerSerde({
    registryUrl: config.stack.registryUrl,
    clientId: service,
    topics,
    logger,
  });

  const groupId = `${config.stack.topicPrefix}.query-api.${config.instanceId}`;
  // The feed calls into the app only once started, after the app exists.
  const feed = createChangeFeed({
    kafka,
    admin,
    topic: topics.balances,
    groupId,
    decode: (value) => serde.decodeBalance(value),
    wants: (accountId) => app.wantsChange(accountId),
    onChanges: (changes, traceContext) => app.applyChanges(changes, traceContext),
    hooks: {
      undecodable: () => app.metrics.changeUndecodable.inc(),
      skipped: () => app.skipChange(),
      applied: (lagSeconds) => app.metrics.updateLag.observe(lagSeconds),
    },
    logger,
    now,
    onFatal,
    sessionTimeoutMs: config.consumerSessionTimeoutMs,
  });
  let accepting = true;
  const apiKeys = openApiKeys(config.apiKeys, logger);
  // Redis only shares the rate limits between instances: while it is down each instance limits
  // on its own, and readiness does not wait for it.
  const redis = createRedisClient(config.stack.redisUrl, logger, service);
  await redis.connect().catch((error: unknown) => {
    logger.warn('redis is down at start-up: rate limits are local until it answers', { error });
  });
  const app = createQueryApp({
    readModels: createReadModels(pool),
    options: config,
    apiKeys: apiKeys.apiKeys,
    rateLimitStore: { redis, keyPrefix: `${config.stack.topicPrefix}:rate:query` },
    registry,
    readiness: [postgresCheck(pool), kafkaCheck(admin, [topics.balances]), feed.readiness],
    observedDependencies: [redisCheck(redis), registryCheck(config.stack.registryUrl)],
    isAccepting: () => accepting,
    ids: overrides.ids ?? createRequestIdGenerator(),
    now,
    logger,
  });
  registerConsumerLagGauge(registry, { admin, groupId, topic: topics.balances, logger });
  await feed.start();
  await listen(app.server, overrides.port ?? config.stack.ports.queryApi, config.listenHost);
  const port = (app.server.address() as AddressInfo).port;

  return {
    server: app.server,
    port,
    registry,
    cache: app.cache,
    groupId,
    async stop() {
      accepting = false;
      await app.close();
      await feed.stop();
      await closeServer(app.server);
      apiKeys.close();
      redis.disconnect();
      await clients.close();
    },
  };
}
