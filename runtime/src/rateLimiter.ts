import type { Redis } from 'ioredis';
import {
  RLWrapperTimeouts,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { intFromEnv } from './limits.ts';

/**
 * Per-client limits shared by every instance of a service, for both APIs (requests) and the query
 * API's stream (connections, subscriptions): rate-limiter-flexible's fixed window in Redis (one
 * atomic INCR-with-expiry script per decision), insured by a local in-memory limiter with the
 * same limit that decides alone while Redis is down, not ready or slower than
 * rateLimitRedisTimeoutMs. While degraded each instance counts on its own, so a client may get up
 * to one limit per instance; every such decision calls `onDegraded` (the services count it in
 * `*_redis_degraded_total{operation="rate_limit"}`).
 *
 * A fixed window allows up to twice the limit across a window boundary: the limit protects the
 * services from floods, it is not a billing quota. Once a client is over its limit the instance
 * remembers it until the window ends and refuses locally, so a flood costs no Redis round trips.
 */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts `points` (default 1) for the client; never rejects (a broken store lets it pass). */
  take(clientKey: string, points?: number): Promise<RateDecision>;
}

/** Longest window a limit may use. */
export const rateLimitWindowMsMax = 3_600_000;
/** A Redis decision slower than this is taken by the local limiter instead. */
export const rateLimitRedisTimeoutMs = 250;

export interface RateLimit {
  /** Points per client per window (a request is one point). */
  readonly limit: number;
  /** Whole seconds (rate-limiter-flexible keeps Redis windows in seconds). */
  readonly windowMs: number;
}

export interface SharedRateLimiterOptions extends RateLimit {
  /** Undefined: the local limiter alone (tests, or a service run without Redis). */
  readonly redis: Redis | undefined;
  /** Redis key prefix; a client's counter is `<keyPrefix>:<clientKey>`. */
  readonly keyPrefix: string;
  /** Called for each decision the local limiter took because Redis could not. */
  readonly onDegraded?: () => void;
}

/**
 * A window length from the environment, in milliseconds as the variable names it but whole
 * seconds only: rate-limiter-flexible stores Redis windows in seconds, and a part second would
 * round down (to a counter that never expires, for windows under one second).
 */
export function rateWindowMsFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback = 1_000,
): number {
  const windowMs = intFromEnv(env, name, fallback, { min: 1_000, max: rateLimitWindowMsMax });
  if (windowMs % 1_000 !== 0) {
    throw new Error(`${name}=${windowMs} is invalid: expected whole seconds (a multiple of 1000)`);
  }
  return windowMs;
}

export function createSharedRateLimiter(options: SharedRateLimiterOptions): RateLimiter {
  checkRateLimit(options);
  const onDegraded = options.onDegraded ?? (() => undefined);
  const shape = {
    points: options.limit,
    duration: options.windowMs / 1_000,
    keyPrefix: options.keyPrefix,
  };
  const local = new LocalRateLimiter(shape, onDegraded);
  const limiter =
    options.redis === undefined
      ? new RateLimiterMemory(shape)
      : new RLWrapperTimeouts({
          limiter: new RateLimiterRedis({
            ...shape,
            storeClient: options.redis,
            // Straight to the local limiter when the client is not connected (ioredis would
            // refuse the command anyway: the offline queue is off).
            rejectIfRedisNotReady: true,
            // Over the limit: refused here until the window ends, without asking Redis again.
            inMemoryBlockOnConsumed: options.limit,
            insuranceLimiter: local,
          }),
          timeoutMs: rateLimitRedisTimeoutMs,
          insuranceLimiter: local,
        });
  return {
    async take(clientKey, points = 1) {
      try {
        await limiter.consume(clientKey, points);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1_000)),
          };
        }
        // Neither Redis nor the local limiter decided (not expected): let the request pass.
        onDegraded();
        return { allowed: true };
      }
    },
  };
}

function checkRateLimit(limit: RateLimit): void {
  if (!Number.isSafeInteger(limit.limit) || limit.limit < 1) {
    throw new Error(`rate limit ${limit.limit} must be a positive integer`);
  }
  if (
    limit.windowMs < 1_000 ||
    limit.windowMs > rateLimitWindowMsMax ||
    limit.windowMs % 1_000 !== 0
  ) {
    throw new Error(
      `rate limit window ${limit.windowMs} ms must be whole seconds in [1000, ${rateLimitWindowMsMax}]`,
    );
  }
}

/** The insurance limiter: an in-memory window that reports each decision it takes. */
class LocalRateLimiter extends RateLimiterMemory {
  constructor(
    options: { points: number; duration: number; keyPrefix: string },
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(
    key: string | number,
    pointsToConsume?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, pointsToConsume, options);
  }
}
