import type { Logger } from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redisKeys.ts';

/**
 * How long an instance's lease outlives its last renewal. A pending idempotency claim records
 * its owner; once the owner's lease is gone, another instance may take the claim over
 * (redisIdempotencyStore.ts), so a dead instance's claims free within this, not claimPendingMs.
 */
export const ownerLeaseTtlMs = 3_000;
/** How often a live instance renews its lease: a renewal may miss twice before it lapses. */
export const ownerLeaseRenewMs = 1_000;

export interface OwnerLease {
  readonly ownerId: string;
  /** Writes the lease (when Redis answers) and renews it until stop. Never rejects. */
  start(): Promise<void>;
  /** Stops renewing and deletes the lease: this instance's claims are settled by then. */
  stop(): Promise<void>;
}

export interface OwnerLeaseOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly ownerId: string;
  readonly logger: Logger;
  readonly ttlMs?: number;
  readonly renewMs?: number;
}

/**
 * One command API instance's liveness in Redis: `<prefix>:owner:<ownerId>` with a short TTL,
 * renewed on a timer and at once whenever the connection becomes ready (before any claim of
 * this instance is sent on it, so no claim of a live instance is ever seen without its lease).
 * A lease that lapses while the instance lives (event loop blocked past the TTL, Redis
 * unreachable) lets another instance take over its pending claims: both may then publish, and
 * the processor's unique constraints keep the effect single (see the store).
 */
export function createOwnerLease(options: OwnerLeaseOptions): OwnerLease {
  const { redis, logger, ownerId } = options;
  const ttlMs = options.ttlMs ?? ownerLeaseTtlMs;
  const renewMs = options.renewMs ?? ownerLeaseRenewMs;
  if (renewMs * 2 >= ttlMs)
    throw new Error(`lease renewal ${renewMs} ms must be < TTL ${ttlMs} ms / 2`);
  const key = options.keys.owner(ownerId);
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  const renew = async () => {
    if (redis.status !== 'ready') return;
    try {
      await redis.set(key, '1', 'PX', ttlMs);
      failing = false;
    } catch (error) {
      if (!failing) logger.warn('could not renew the idempotency owner lease', { error });
      failing = true;
    }
  };
  const onReady = () => void renew();

  return {
    ownerId,
    async start() {
      redis.on('ready', onReady);
      timer = setInterval(onReady, renewMs);
      timer.unref();
      await renew();
    },
    async stop() {
      clearInterval(timer);
      redis.off('ready', onReady);
      if (redis.status !== 'ready') return;
      await redis.del(key).catch((error: unknown) => {
        logger.warn('could not delete the idempotency owner lease', { error });
      });
    },
  };
}
