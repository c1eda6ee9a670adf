import { outcomeChannel, outcomeKey } from '@ledger/runtime';
import type { IdempotencyScope } from '../appDeps.ts';

/**
 * Every Redis key and channel this service touches, under the topic prefix so tests (and
 * several ledgers on one Redis) never collide. Outcome names come from runtime's
 * outcomeNotices.ts, the contract with the processor that writes them.
 */
export function redisKeys(prefix: string) {
  return {
    idempotency: (scope: IdempotencyScope, key: string) => `${prefix}:idem:${scope}:${key}`,
    accepted: (commandId: string) => `${prefix}:accepted:${commandId}`,
    /** A command API instance's liveness lease (ownerLease.ts). */
    owner: (ownerId: string) => `${prefix}:owner:${ownerId}`,
    /** runtime's shared rate limiter keeps a client's window at `<rateLimitPrefix>:<clientKey>`. */
    rateLimitPrefix: `${prefix}:rate`,
    outcome: (commandId: string) => outcomeKey(prefix, commandId),
    outcomeChannel: outcomeChannel(prefix),
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
