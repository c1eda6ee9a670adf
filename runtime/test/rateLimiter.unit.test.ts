import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSharedRateLimiter,
  rateLimitWindowMsMax,
  rateWindowMsFromEnv,
} from '../src/rateLimiter.ts';

/** The limiter as a service without Redis has it: the local window alone. */
const localLimiter = (limit: number, windowMs: number) =>
  createSharedRateLimiter({ redis: undefined, keyPrefix: 'test', limit, windowMs });

void describe('shared rate limiter without Redis', () => {
  void it('given a client at its limit, when it asks again, then refused with the seconds left in the window; other clients are not affected', async () => {
    const limiter = localLimiter(3, 5_000);
    for (let request = 0; request < 3; request += 1) {
      assert.deepEqual(await limiter.take('addr:a'), { allowed: true });
    }
    const refused = await limiter.take('addr:a');
    assert.equal(refused.allowed, false);
    assert.ok(!refused.allowed && refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 5);
    assert.deepEqual(await limiter.take('addr:b'), { allowed: true });
  });

  void it('given points, when taken, then they count against the limit together', async () => {
    const limiter = localLimiter(10, 1_000);
    assert.equal((await limiter.take('k', 8)).allowed, true);
    assert.equal((await limiter.take('k', 3)).allowed, false);
  });

  void it('given a window that ended, when the client asks again, then it is allowed', async () => {
    const limiter = localLimiter(1, 1_000);
    assert.equal((await limiter.take('k')).allowed, true);
    const refused = await limiter.take('k');
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await limiter.take('k')).allowed, true);
  });

  void it('given a limit or window outside the bounds, when created, then it throws', () => {
    for (const [limit, windowMs] of [
      [0, 1_000],
      [1.5, 1_000],
      [1, 500],
      [1, 1_500],
      [1, rateLimitWindowMsMax + 1_000],
    ] as const) {
      assert.throws(() => localLimiter(limit, windowMs), /rate limit/);
    }
  });

  void it('given window variables, when read, then whole seconds within the bounds pass and the rest stop the start naming the variable', () => {
    assert.equal(rateWindowMsFromEnv({}, 'WINDOW_MS'), 1_000);
    assert.equal(rateWindowMsFromEnv({ WINDOW_MS: '60000' }, 'WINDOW_MS'), 60_000);
    assert.throws(() => rateWindowMsFromEnv({ WINDOW_MS: '1500' }, 'WINDOW_MS'), /WINDOW_MS=1500/);
    assert.throws(() => rateWindowMsFromEnv({ WINDOW_MS: '100' }, 'WINDOW_MS'), /WINDOW_MS=100/);
    assert.throws(
      () => rateWindowMsFromEnv({ WINDOW_MS: String(rateLimitWindowMsMax + 1_000) }, 'WINDOW_MS'),
      /WINDOW_MS/,
    );
  });
});
