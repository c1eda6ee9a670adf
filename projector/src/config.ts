import {
  intFromEnv,
  partitionsConcurrentMax,
  postgresPoolMax,
  readServiceConfig,
  sessionTimeoutMsFromEnv,
  stringFromEnv,
  type ServiceConfig,
} from '@ledger/runtime';
import { transactionEventsMax, type ProjectorOptions } from './projector.ts';

/** Connections besides the partitions' transactions: the /readyz probe. */
const poolConnectionsBesidesBatches = 1;

/** Everything main.ts needs, read and validated once at start-up. */
export interface ProjectorConfig extends ServiceConfig {
  readonly projector: ProjectorOptions;
}

export function readProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const common = readServiceConfig(env);
  const partitionsConcurrent = intFromEnv(env, 'LEDGER_PROJECTOR_PARTITIONS_CONCURRENT', 4, {
    min: 1,
    max: partitionsConcurrentMax,
  });
  // Each concurrent partition holds one connection for its transaction.
  const poolMax = intFromEnv(
    env,
    'LEDGER_PROJECTOR_PG_POOL_MAX',
    partitionsConcurrent + poolConnectionsBesidesBatches,
    { min: partitionsConcurrent + 1, max: postgresPoolMax },
  );
  return {
    ...common,
    postgresPoolMax: poolMax,
    projector: {
      consumerGroup: stringFromEnv(
        env,
        'LEDGER_PROJECTOR_GROUP_ID',
        `${common.stack.topicPrefix}.projector`,
      ),
      partitionsConcurrent,
      transactionEventsMax: intFromEnv(env, 'LEDGER_PROJECTOR_TRANSACTION_EVENTS_MAX', 2_000, {
        min: 1,
        max: transactionEventsMax,
      }),
      sessionTimeoutMs: sessionTimeoutMsFromEnv(env, 'LEDGER_PROJECTOR_SESSION_TIMEOUT_MS'),
    },
  };
}
