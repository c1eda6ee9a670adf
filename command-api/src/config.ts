import {
  assert,
  intFromEnv,
  outcomeNoticeTtlSeconds,
  rateWindowMsFromEnv,
  readServiceConfig,
  shutdownTimeoutMs,
  stringFromEnv,
  type ServiceConfig,
} from '@ledger/runtime';
import type { CommandApiOptions } from './appDeps.ts';
import { batchBodyBytesMax } from './http/jsonBody.ts';
import { waitSecondsMax } from './http/preferWait.ts';
import {
  producerQueueBytesMax,
  producerQueueMessagesMax,
  publishTimeoutMs,
  sendBatchMessagesMax,
} from './kafka/commandProducer.ts';
import { lookupKeysMax } from './postgres/decidedCommands.ts';
import { decisionPollCommandsMax } from './postgres/decisionPoller.ts';
import { ownerLeaseRenewMs, ownerLeaseTtlMs } from './redis/ownerLease.ts';
import {
  claimPendingMs,
  idempotencyTtlSecondsDefault,
  idempotencyTtlSecondsMax,
  ledgerCheckWaitMsDefault,
  ledgerCheckWaitMsMax,
} from './redis/redisIdempotencyStore.ts';
import { waitedCommandsMax } from './redis/redisOutcomeWaiter.ts';
import { batchItemsMax } from './validation/batchValidator.ts';

/** Everything main.ts needs, read and validated once at start-up (a bad value stops the start). */
export interface CommandApiConfig extends ServiceConfig {
  readonly api: CommandApiOptions;
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  readonly processorGroupId: string;
  readonly idempotencyTtlSeconds: number;
  /** How long a command whose idempotency claim was unverified waits for its decision. */
  readonly ledgerCheckWaitMs: number;
  /** Interface to listen on: all by default (a container), 127.0.0.1 for a local-only run. */
  readonly listenHost: string;
}

export function readCommandApiConfig(env: NodeJS.ProcessEnv = process.env): CommandApiConfig {
  checkLimits();
  const common = readServiceConfig(env);
  return {
    ...common,
    api: {
      // At 10k commands/s, 500k is under a minute of backlog: past it waits time out anyway.
      consumerLagMax: intFromEnv(env, 'LEDGER_COMMAND_API_CONSUMER_LAG_MAX', 500_000, {
        min: 1,
        max: 1_000_000_000,
      }),
      overloadedRetryAfterSeconds: intFromEnv(env, 'LEDGER_COMMAND_API_RETRY_AFTER_SECONDS', 2, {
        min: 1,
        max: 300,
      }),
      trustProxy: parseTrustProxy(stringFromEnv(env, 'LEDGER_COMMAND_API_TRUST_PROXY', '')),
    },
    rateLimit: {
      // Generous by default: the local bench drives 1000 clients from one address.
      limit: intFromEnv(env, 'LEDGER_COMMAND_API_RATE_LIMIT', 100_000, { min: 1, max: 10_000_000 }),
      windowMs: rateWindowMsFromEnv(env, 'LEDGER_COMMAND_API_RATE_WINDOW_MS'),
    },
    processorGroupId: stringFromEnv(
      env,
      'LEDGER_PROCESSOR_GROUP_ID',
      `${common.stack.topicPrefix}.ledger-processor`,
    ),
    idempotencyTtlSeconds: intFromEnv(
      env,
      'LEDGER_COMMAND_API_IDEMPOTENCY_TTL_SECONDS',
      idempotencyTtlSecondsDefault,
      { min: outcomeNoticeTtlSeconds, max: idempotencyTtlSecondsMax },
    ),
    ledgerCheckWaitMs: intFromEnv(
      env,
      'LEDGER_COMMAND_API_LEDGER_CHECK_WAIT_MS',
      ledgerCheckWaitMsDefault,
      { min: 0, max: ledgerCheckWaitMsMax },
    ),
    postgresPoolMax: intFromEnv(env, 'LEDGER_COMMAND_API_PG_POOL_MAX', 4, { min: 1, max: 64 }),
    listenHost: stringFromEnv(env, 'LEDGER_COMMAND_API_HOST', '0.0.0.0'),
  };
}

/** The named limits, checked against each other: a mismatch is a build bug, caught at start. */
export function checkLimits(): void {
  assert(sendBatchMessagesMax >= batchItemsMax, 'a full batch request must fit one sendBatch');
  assert(producerQueueMessagesMax >= 2 * sendBatchMessagesMax, 'the queue must hold two batches');
  assert(
    producerQueueBytesMax >= 2 * batchBodyBytesMax,
    'the queue must hold two of the largest requests',
  );
  assert(waitedCommandsMax >= batchItemsMax, 'one batch request must be able to wait');
  assert(lookupKeysMax >= batchItemsMax, 'a batch request must fit one Postgres lookup');
  assert(
    outcomeNoticeTtlSeconds > waitSecondsMax,
    'outcome keys must outlive the longest Prefer: wait',
  );
  assert(publishTimeoutMs < shutdownTimeoutMs, 'a publish must time out before the drain budget');
  assert(decisionPollCommandsMax >= batchItemsMax, 'one batch request must be able to wait');
  assert(2 * ownerLeaseRenewMs < ownerLeaseTtlMs, 'a lease must survive a missed renewal');
  assert(ownerLeaseTtlMs < claimPendingMs, 'a dead owner must free its claims before they expire');
}

/** `trust proxy`: off by default; "true", a hop count or a subnet list otherwise. */
function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[0-9]{1,2}$/.test(raw)) return Number(raw);
  return raw;
}
