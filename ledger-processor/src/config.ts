import {
  intFromEnv,
  partitionsConcurrentMax,
  postgresPoolMax,
  readServiceConfig,
  sessionTimeoutMsFromEnv,
  stringFromEnv,
  type ServiceConfig,
} from '@ledger/runtime';
import { batchCommandsMax } from './domain/index.ts';
import {
  outboxPruneIntervalMsDefault,
  outboxRetentionSecondsDefault,
  outboxRetentionSecondsMax,
} from './outboxPruner.ts';
import type { ProcessorOptions } from './processor.ts';
import { expirySweepIntervalMsDefault, expirySweepIntervalMsMax } from './expirySweep.ts';

/** Everything main.ts needs, read and validated once at start-up. */
export interface ProcessorConfig extends ServiceConfig {
  readonly processor: ProcessorOptions;
  readonly outboxPrune: { readonly retentionSeconds: number; readonly intervalMs: number };
  readonly expirySweep: { readonly intervalMs: number };
}

export function readProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const common = readServiceConfig(env);
  const partitionsConcurrent = intFromEnv(env, 'LEDGER_PROCESSOR_PARTITIONS_CONCURRENT', 4, {
    min: 1,
    max: partitionsConcurrentMax,
  });
  // One connection for the group transaction; the relay marks rows sent on one connection per
  // partition, the outbox pruner and the readiness probe need one more each.
  const poolMax = intFromEnv(env, 'LEDGER_PROCESSOR_PG_POOL_MAX', partitionsConcurrent + 5, {
    min: partitionsConcurrent + 1,
    max: postgresPoolMax,
  });
  return {
    ...common,
    postgresPoolMax: poolMax,
    processor: {
      consumerGroup: stringFromEnv(
        env,
        'LEDGER_PROCESSOR_GROUP_ID',
        `${common.stack.topicPrefix}.ledger-processor`,
      ),
      partitionsConcurrent,
      transactionCommandsMax: intFromEnv(env, 'LEDGER_PROCESSOR_TRANSACTION_COMMANDS_MAX', 5_000, {
        min: 1,
        max: batchCommandsMax,
      }),
      sessionTimeoutMs: sessionTimeoutMsFromEnv(env, 'LEDGER_PROCESSOR_SESSION_TIMEOUT_MS'),
    },
    outboxPrune: {
      retentionSeconds: intFromEnv(
        env,
        'LEDGER_PROCESSOR_OUTBOX_RETENTION_SECONDS',
        outboxRetentionSecondsDefault,
        { min: 0, max: outboxRetentionSecondsMax },
      ),
      intervalMs: intFromEnv(
        env,
        'LEDGER_PROCESSOR_OUTBOX_PRUNE_INTERVAL_MS',
        outboxPruneIntervalMsDefault,
        { min: 1_000, max: 3_600_000 },
      ),
    },
    expirySweep: {
      intervalMs: intFromEnv(
        env,
        'LEDGER_PROCESSOR_EXPIRY_SWEEP_INTERVAL_MS',
        expirySweepIntervalMsDefault,
        { min: 100, max: expirySweepIntervalMsMax },
      ),
    },
  };
}
