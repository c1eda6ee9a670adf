import { createServer } from 'node:http';
import {
  closeServer,
  crashOnUnhandled,
  createKafkaClient,
  createLogger,
  createMetricsRegistry,
  createPostgresPool,
  createRedisClient,
  kafkaCheck,
  listen,
  onTerminate,
  postgresCheck,
  topicNames,
} from '@ledger/runtime';
import { createLedgerSerde, createSchemaRegistryClient } from '@ledger/schemas';
import { createApp } from './app.ts';
import { commandApiMetrics } from './commandApiMetrics.ts';
import { readCommandApiConfig } from './config.ts';
import { createCommandProducer } from './kafka/commandProducer.ts';
import { createConsumerLagMonitor } from './kafka/consumerLagMonitor.ts';
import { createCommandKafkaProducer } from './kafka/kafkaProducer.ts';
import { createDecidedCommands } from './postgres/decidedCommands.ts';
import { createRedisIdempotencyStore } from './redis/redisIdempotencyStore.ts';
import { redisKeys } from './redis/redisKeys.ts';
import { createRedisOutcomeWaiter } from './redis/redisOutcomeWaiter.ts';
import { createRedisRateLimiter } from './redis/redisRateLimiter.ts';
import { createSystemUuidV7Generator } from './uuidv7.ts';

// The thin shell: read config once, connect, listen, drain on SIGTERM. Kafka and Postgres are
// required (readiness fails without them); Redis is optional (degraded: no waits, no limits).
const service = 'command-api';
const config = readCommandApiConfig();
const logger = createLogger({ level: config.logLevel, bindings: { service } });
crashOnUnhandled(logger);
const registry = createMetricsRegistry(service);
const metrics = commandApiMetrics(registry);
const topics = topicNames(config.stack.topicPrefix);
const clock = { now: () => Date.now() };

const pool = createPostgresPool({
  connectionString: config.stack.postgresUrl,
  schema: config.postgresSchema,
  max: config.postgresPoolMax,
  applicationName: service,
});
const kafka = createKafkaClient({ clientId: service, brokers: config.stack.kafkaBrokers, logger });
const admin = kafka.admin();
const producer = createCommandKafkaProducer(kafka);
const serde = await createLedgerSerde({
  registry: createSchemaRegistryClient({
    registryUrl: config.stack.registryUrl,
    clientId: service,
  }),
  topics,
});
await Promise.all([admin.connect(), producer.connect()]);

const redis = createRedisClient(config.stack.redisUrl, logger, `${service}`);
const subscriber = createRedisClient(config.stack.redisUrl, logger, `${service}-outcomes`);
redis.on('ready', () => metrics.redisUp.set(1));
redis.on('close', () => metrics.redisUp.set(0));
metrics.redisUp.set(0);
const keys = redisKeys(config.stack.topicPrefix);
const outcomes = createRedisOutcomeWaiter({ subscriber, reader: redis, keys, metrics, logger });
await redis.connect().catch((error: unknown) => {
  logger.warn('redis is down at start-up: running degraded until it answers', { error });
});
await outcomes.start().catch((error: unknown) => {
  logger.warn('outcome notices unavailable at start-up: Prefer: wait answers 202', { error });
});

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

let accepting = true;
const app = createApp({
  publisher: commandProducer,
  outcomes,
  idempotency: createRedisIdempotencyStore({
    redis,
    keys,
    ttlSeconds: config.idempotencyTtlSeconds,
    decided: createDecidedCommands(pool),
    metrics,
    logger,
  }),
  rateLimiter: createRedisRateLimiter({
    redis,
    keyPrefix: config.stack.topicPrefix,
    limit: config.rateLimit.limit,
    windowMs: config.rateLimit.windowMs,
    metrics,
  }),
  lagGauge: lagMonitor,
  registry,
  logger,
  clock,
  ids: createSystemUuidV7Generator(clock.now),
  readiness: [kafkaCheck(admin), postgresCheck(pool)],
  options: config.api,
  isAccepting: () => accepting,
});
const server = createServer(app);
await listen(server, config.stack.ports.commandApi);
logger.info('listening', {
  port: config.stack.ports.commandApi,
  topic: topics.commands,
  authentication: config.api.apiKeys.length > 0 ? 'api-keys' : 'off',
});

onTerminate(logger, async () => {
  // Stop taking commands (readyz says draining), answer pending waits with 202, let in-flight
  // requests finish (they wait for their Kafka acks), flush the producer, then disconnect.
  accepting = false;
  await outcomes.close();
  await closeServer(server);
  await commandProducer.drain();
  lagMonitor.stop();
  await producer.disconnect();
  await admin.disconnect();
  redis.disconnect();
  subscriber.disconnect();
  await pool.end();
});
