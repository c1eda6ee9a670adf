import type { Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import type { RedisKeys } from './redisKeys.ts';

export const rateLimitWindowMsMax = 3_600_000;

/**
 * Fixed window in one round trip: INCR, and PEXPIRE when the key is new (or lost its TTL), then
 * the remaining PTTL for Retry-After. Fixed windows allow up to 2× the rate across a boundary;
 * accepted here because the limit protects the service from floods, not a billing quota.
 */
const fixedWindowScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

interface RateLimitCommands {
  ledgerRateLimit(key: string, windowMs: number): Promise<[number, number]>;
}

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  readonly keys: Pick<RedisKeys, 'rate'>;
  /** Requests allowed per client per window. */
  readonly limit: number;
  readonly windowMs: number;
  readonly metrics: CommandApiMetrics;
}

/**
 * Per-client limits in Redis (shared by every instance). Fails open: when Redis is down or slow
 * the request passes and `command_api_redis_degraded_total{operation="rate_limit"}` counts it,
 * because a missing rate limit is better than failing commands (DESIGN.md: Redis is optional).
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  if (options.windowMs < 1 || options.windowMs > rateLimitWindowMsMax) {
    throw new Error(
      `rate limit window ${options.windowMs} ms is outside [1, ${rateLimitWindowMsMax}]`,
    );
  }
  options.redis.defineCommand('ledgerRateLimit', { numberOfKeys: 1, lua: fixedWindowScript });
  const commands = options.redis as unknown as RateLimitCommands;
  return {
    async take(clientKey: string): Promise<RateDecision> {
      if (options.redis.status !== 'ready') {
        options.metrics.redisDegraded.inc({ operation: 'rate_limit' });
        return { allowed: true };
      }
      try {
        const [count, ttlMs] = await commands.ledgerRateLimit(
          options.keys.rate(clientKey),
          options.windowMs,
        );
        if (count <= options.limit) return { allowed: true };
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1_000)) };
      } catch {
        options.metrics.redisDegraded.inc({ operation: 'rate_limit' });
        return { allowed: true };
      }
    },
  };
}
