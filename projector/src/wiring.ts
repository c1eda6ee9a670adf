import {
  checkPostgresSettings,
  connectServiceClients,
  startConsumerOps,
  exitForRestart,
  kafkaCheck,
  postgresCheck,
  registryCheck,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde } from '@ledger/schemas';
import type { ProjectorConfig } from './config.ts';
import { createProjector, type Projector } from './projector.ts';
import { createProjectorMetrics } from './projectorMetrics.ts';

export const service = 'projector';

export interface RunningProjector {
  readonly projector: Projector;
  /** The port the ops server listens on (the real one when asked for 0). */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Connects to Kafka, the registry and Postgres, starts the consumer and the ops server (the
 * balances changelog is the processor's: ledger-processor/src/balanceMessages.ts). Shared by
 * main.ts and the integration tests, so both run the same assembly.
 */
export async function startProjector(
  config: ProjectorConfig,
  logger: Logger,
  overrides: { port?: number; onFatal?: (error: unknown) => void } = {},
): Promise<RunningProjector> {
  const clients = await connectServiceClients(service, config, logger);
  const { registry, topics, pool, kafka, admin } = clients;
  await checkPostgresSettings(pool, logger); // logs what to change, never throws
  const metrics = createProjectorMetrics(registry);
  const serde = await connectLedgerSerde({
    registryUrl: config.stack.registryUrl,
    clientId: service,
    topics,
    logger,
  });
  const projector = createProjector({
    kafka,
    admin,
    pool,
    serde,
    eventsTopic: topics.events,
    metrics,
    logger,
    now: Date.now,
    options: config.projector,
    onFatal: overrides.onFatal ?? exitForRestart(logger),
  });
  const ops = await startConsumerOps({
    clients,
    config,
    logger,
    port: overrides.port ?? config.stack.ports.projector,
    readiness: [
      postgresCheck(pool),
      kafkaCheck(admin, [topics.events]),
      registryCheck(config.stack.registryUrl),
    ],
    consumerLag: { groupId: config.projector.consumerGroup, topic: topics.events },
  });
  await projector.start();
  return {
    projector,
    port: ops.port,
    async stop() {
      ops.drain();
      await projector.stop();
      await ops.close();
      await clients.close();
    },
  };
}
