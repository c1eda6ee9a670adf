import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  answerClientErrors,
  closeServer,
  connectServiceClients,
  createRedisClient,
  createRenewableProducer,
  createSharedRateLimiter,
  createSystemUuidV7Generator,
  kafkaCheck,
  listen,
  openApiKeys,
  postgresCheck,
  redisCheck,
  registryCheck,
  waitForDependency,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde } from '@ledger/schemas';
import type { Registry } from 'prom-client';
import { createApp } from './app.ts';
import { commandApiMetrics } from './commandApiMetrics.ts';
import type { CommandApiConfig } from './config.ts';
import { createCommandProducer } from './kafka/commandProducer.ts';
import { createConsumerLagMonitor, type ConsumerLagMonitor } from './kafka/consumerLagMonitor.ts';
import { createCommandKafkaProducer } from './kafka/kafkaProducer.ts';
import { createDecidedCommands } from './postgres/decidedCommands.ts';
import { createTransferLookup } from './postgres/decidedTransfers.ts';
import { withOutcomeRechecks } from './outcomeRechecks.ts';
import { createDecisionPoller } from './postgres/decisionPoller.ts';
import { createOwnerLease } from './redis/ownerLease.ts';
import { createRedisIdempotencyStore } from './redis/redisIdempotencyStore.ts';
import { redisKeys } from './redis/redisKeys.ts';
import { createRedisOutcomeWaiter } from './redis/redisOutcomeWaiter.ts';

export const service = 'command-api';

export interface RunningCommandApi {
  readonly server: Server;
  readonly port: number;
  readonly registry: Registry;
  readonly lagMonitor: ConsumerLagMonitor;
  /** Graceful stop: refuse new commands, answer waits, drain requests and the producer, close. */
  stop(): Promise<void>;
}

/**
 * Connects to Kafka, the schema registry, Postgres and Redis, builds the app and listens. Shared
 * by main.ts and the integration tests, so the tests run exactly the production wiring. Kafka,
 * the registry and Postgres are required (start-up fails, readiness fails); Redis is optional.
 */
export async function startCommandApi(
  config: CommandApiConfig,
  logger: Logger,
  port: number = config.stack.ports.commandApi,
): Promise<RunningCommandApi> {
  const clients = await connectServiceClients(service, config, logger);
  const { registry, topics, pool, kafka, admin } = clients;
  const metrics = commandApiMetrics(registry);
  const clock = { now: () => Date.now() };
  const producer = createRenewableProducer(() => createCommandKafkaProducer(kafka), logger);
  const serde = await connectLedgerSerde({
    registryUrl: config.stack.registryUrl,
    clientId: service,
    topics,
    logger,
  });
  await waitForDependency('kafka', () => producer.connect(), { logger });

  const redis = createRedisClient(config.stack.redisUrl, logger, service);
  const subscriber = createRedisClient(config.stack.redisUrl, logger, `${service}-outcomes`);
  metrics.redisUp.set(0);
  redis.on('ready', () => metrics.redisUp.set(1));
  redis.on('close', () => metrics.redisUp.set(0));
  const keys = redisKeys(config.stack.topicPrefix);
  const outcomes = createRedisOutcomeWaiter({ subscriber, reader: redis, keys, metrics, logger });
  await redis.connect().catch((error: unknown) => {
    logger.warn('redis is down at start-up: running degraded until it answers', { error });
  });
  await outcomes.start().catch((error: unknown) => {
    logger.warn('outcome notices unavailable at start-up: Prefer: wait answers 202', { error });
  });
  // This instance's pending idempotency claims name it; its lease frees them if it dies.
  const lease = createOwnerLease({ redis, keys, ownerId: randomUUID(), logger });
  await lease.start();
  const decided = createDecidedCommands(pool);
  const decisions = createDecisionPoller({ decided, logger });

  const lagMonitor = createConsumerLagMonitor({
    admin,
    groupId: config.processorGroupId,
    topic: topics.commands,
    metrics,
    logger,
    now: clock.now,
  });
  lagMonitor.start();
  const commandProducer = createCommandProducer({
    producer,
    topic: topics.commands,
    encodeCommand: (command) => serde.encodeCommand(command),
    metrics,
    logger,
  });

  const idempotency = createRedisIdempotencyStore({
    redis,
    keys,
    ttlSeconds: config.idempotencyTtlSeconds,
    ownerId: lease.ownerId,
    decided,
    decisions,
    ledgerCheckWaitMs: config.ledgerCheckWaitMs,
    metrics,
    logger,
  });
  let accepting = true;
  const apiKeys = openApiKeys(config.apiKeys, logger);
  const app = createApp({
    publisher: commandProducer,
    outcomes: withOutcomeRechecks({ waiter: outcomes, states: (ids) => idempotency.states(ids) }),
    idempotency,
    transfers: createTransferLookup(pool),
    rateLimiter: createSharedRateLimiter({
      redis,
      keyPrefix: keys.rateLimitPrefix,
      ...config.rateLimit,
      onDegraded: () => metrics.redisDegraded.inc({ operation: 'rate_limit' }),
    }),
    apiKeys: apiKeys.apiKeys,
    lagGauge: lagMonitor,
    registry,
    logger,
    clock,
    ids: createSystemUuidV7Generator(clock.now),
    readiness: [kafkaCheck(admin, [topics.commands]), postgresCheck(pool)],
    observedDependencies: [redisCheck(redis), registryCheck(config.stack.registryUrl)],
    options: config.api,
    isAccepting: () => accepting,
  });
  const server = createServer(app);
  answerClientErrors(server, logger);
  await listen(server, port, config.listenHost);
  const boundPort = (server.address() as AddressInfo).port;

  return {
    server,
    port: boundPort,
    registry,
    lagMonitor,
    async stop() {
      accepting = false;
      await outcomes.close();
      decisions.close();
      await closeServer(server);
      apiKeys.close();
      await commandProducer.drain();
      await lease.stop();
      await lagMonitor.stop();
      await producer.disconnect();
      redis.disconnect();
      subscriber.disconnect();
      await clients.close();
    },
  };
}
