import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createLogger } from '../src/logger.ts';
import { createSharedRateLimiter, type RateLimiter } from '../src/rateLimiter.ts';
import { createRedisClient } from '../src/redisClient.ts';
import { readStackConfig } from '../src/stackConfig.ts';

/**
 * The shared limiter against the real Redis (LEDGER_REDIS_URL, 127.0.0.1:6379 by default), under
 * a key prefix of its own: two instances share one budget per client, and an instance whose
 * client is disconnected (Redis itself keeps running) decides alone with its local limiter.
 */
void describe('shared rate limiter on Redis', () => {
  const prefix = `ledger-test-rate-${randomBytes(4).toString('hex')}`;
  const logger = createLogger({ level: 'error' });
  const redisUrl = readStackConfig(process.env).redisUrl;
  let first: Redis;
  let second: Redis;
  let degraded = { first: 0, second: 0 };
  let limiters: { first: RateLimiter; second: RateLimiter };

  before(async () => {
    first = createRedisClient(redisUrl, logger, 'rate-limit-test-1');
    second = createRedisClient(redisUrl, logger, 'rate-limit-test-2');
    await Promise.all([first.connect(), second.connect()]);
    const options = { keyPrefix: prefix, limit: 5, windowMs: 30_000 };
    limiters = {
      first: createSharedRateLimiter({
        ...options,
        redis: first,
        onDegraded: () => (degraded.first += 1),
      }),
      second: createSharedRateLimiter({
        ...options,
        redis: second,
        onDegraded: () => (degraded.second += 1),
      }),
    };
  });

  after(async () => {
    const keys = await second.keys(`${prefix}:*`);
    if (keys.length > 0) await second.del(...keys);
    first.disconnect();
    second.disconnect();
  });

  void it('given two instances, when one client spreads its requests over both, then they share one limit', async () => {
    degraded = { first: 0, second: 0 };
    const answers = [];
    for (let request = 0; request < 6; request += 1) {
      const limiter = request % 2 === 0 ? limiters.first : limiters.second;
      answers.push(await limiter.take('key:shared'));
    }
    assert.deepEqual(
      answers.map((answer) => answer.allowed),
      [true, true, true, true, true, false],
    );
    const refused = answers[5];
    assert.ok(refused !== undefined && !refused.allowed);
    assert.ok(refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 30);
    assert.equal(await second.get(`${prefix}:key:shared`), '6');
    const ttl = await second.pttl(`${prefix}:key:shared`);
    assert.ok(ttl > 0 && ttl <= 30_000, `the window expires (pttl ${ttl})`);
    assert.deepEqual(degraded, { first: 0, second: 0 });
  });

  void it('given an instance whose Redis client is disconnected, when requests come, then its local limiter decides them and counts each as degraded, while the other instance keeps the shared count', async () => {
    degraded = { first: 0, second: 0 };
    assert.equal((await limiters.second.take('key:fallback', 4)).allowed, true);
    first.disconnect();
    await waitFor(() => first.status === 'end' || first.status === 'close');

    const local = [];
    for (let request = 0; request < 6; request += 1) {
      local.push((await limiters.first.take('key:fallback')).allowed);
    }
    // The local window knows nothing of the 4 points taken through Redis: one limit per instance.
    assert.deepEqual(local, [true, true, true, true, true, false]);
    assert.equal(degraded.first, 6);

    assert.equal((await limiters.second.take('key:fallback')).allowed, true);
    assert.equal((await limiters.second.take('key:fallback')).allowed, false);
    assert.equal(degraded.second, 0);
    // The request that reached the limit made this instance refuse locally until the window ends:
    // the refused one never went to Redis (a flood costs no round trips).
    assert.equal(await second.get(`${prefix}:key:fallback`), '5');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(condition(), 'condition never held');
}
