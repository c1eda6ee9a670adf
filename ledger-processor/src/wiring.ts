import { hostname } from 'node:os';
import {
  checkPostgresSettings,
  connectServiceClients,
  startConsumerOps,
  createLedgerProducer,
  createRenewableProducer,
  redisCheck,
  createRedisClient,
  createSystemUuidV7Generator,
  exitForRestart,
  kafkaCheck,
  postgresCheck,
  registryCheck,
  waitForDependency,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde } from '@ledger/schemas';
import type { ProcessorConfig } from './config.ts';
import { registerConservationGauge } from './conservationCheck.ts';
import { createExpirySweep } from './expirySweep.ts';
import { createOutboxPruner } from './outboxPruner.ts';
import { createOutboxRelay } from './outboxRelay.ts';
import { createOutcomeNotifier } from './outcomeNotifier.ts';
import { createProcessor, type Processor } from './processor.ts';
import { createProcessorMetrics, registerOutboxQueueGauge } from './processorMetrics.ts';

export const service = 'ledger-processor';

export interface RunningProcessor {
  readonly processor: Processor;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Connects to Kafka, the registry, Postgres and Redis, starts the consumer and the ops server.
 * Shared by main.ts and the integration tests, so both run the same assembly.
 */
export async function startLedgerProcessor(
  config: ProcessorConfig,
  logger: Logger,
  overrides: { port?: number; onFatal?: (error: unknown) => void } = {},
): Promise<RunningProcessor> {
  const clients = await connectServiceClients(service, config, logger);
  const { registry, topics, pool, kafka, admin } = clients;
  await checkPostgresSettings(pool, logger); // logs what to change, never throws
  const metrics = createProcessorMetrics(registry);
  const owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const producer = createRenewableProducer(() => createLedgerProducer(kafka), logger);
  const redis = createRedisClient(config.stack.redisUrl, logger, service);
  await Promise.all([
    waitForDependency('kafka', () => producer.connect(), { logger }),
    redis.connect().catch(() => undefined),
  ]);
  const serde = await connectLedgerSerde({
    registryUrl: config.stack.registryUrl,
    clientId: service,
    topics,
    logger,
  });
  const relay = createOutboxRelay({
    producer,
    pool,
    serde,
    balancesTopic: topics.balances,
    logger,
    published: metrics.eventsPublished,
  });
  const notifier = createOutcomeNotifier({
    redis,
    topicPrefix: config.stack.topicPrefix,
    logger,
    failures: metrics.outcomeNoticeFailures,
  });
  const processor = createProcessor({
    kafka,
    admin,
    pool,
    serde,
    topics,
    relay,
    notifier,
    metrics,
    logger,
    owner,
    now: Date.now,
    nextEventId: createSystemUuidV7Generator(),
    options: config.processor,
    onFatal: overrides.onFatal ?? exitForRestart(logger),
  });
  const ops = await startConsumerOps({
    clients,
    config,
    logger,
    port: overrides.port ?? config.stack.ports.ledgerProcessor,
    readiness: [
      postgresCheck(pool),
      // It reads commands and writes events, balances and dead letters.
      kafkaCheck(admin, Object.values(topics)),
      registryCheck(config.stack.registryUrl),
      { name: 'outbox', check: () => Promise.resolve().then(() => relay.checkFlowing()) },
    ],
    observedDependencies: [redisCheck(redis)],
    consumerLag: { groupId: config.processor.consumerGroup, topic: topics.commands },
  });
  registerOutboxQueueGauge(registry, relay);
  registerConservationGauge(registry, { pool, logger, now: Date.now });
  await processor.start();
  const pruner = createOutboxPruner({
    pool,
    logger,
    pruned: metrics.outboxPruned,
    ...config.outboxPrune,
  });
  pruner.start();
  const sweep = createExpirySweep({
    pool,
    send: (topic, messages) => producer.sendBatch({ topicMessages: [{ topic, messages }] }),
    serde,
    commandsTopic: topics.commands,
    logger,
    now: Date.now,
    intervalMs: config.expirySweep.intervalMs,
    sent: metrics.expiriesSent,
  });
  sweep.start();
  return {
    processor,
    port: ops.port,
    async stop() {
      ops.drain();
      await sweep.stop();
      await pruner.stop();
      await processor.stop();
      await producer.disconnect();
      redis.disconnect();
      await ops.close();
      await clients.close();
    },
  };
}
