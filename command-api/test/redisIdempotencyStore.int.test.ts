import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createLogger,
  createMetricsRegistry,
  createRedisClient,
  readStackConfig,
} from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { IdempotencyClaim, IdempotencyStore } from '../src/appDeps.ts';
import { commandApiMetrics } from '../src/commandApiMetrics.ts';
import type { DecidedCommands } from '../src/postgres/decidedCommands.ts';
import {
  claimPendingMs,
  createRedisIdempotencyStore,
  idempotencyTtlSecondsDefault,
} from '../src/redis/redisIdempotencyStore.ts';
import { redisKeys } from '../src/redis/redisKeys.ts';

// The accept-side claim lifecycle against the real Redis (the in-memory fake of the HTTP unit
// tests cannot tell whether the Lua scripts actually run): claim → confirm or release.

/** Redis is up in these tests: the Postgres fallback is never consulted, and says so if it is. */
const decidedNotConsulted: DecidedCommands = {
  transfersByKey: () => Promise.reject(new Error('the Postgres fallback was consulted')),
  accountsById: () => Promise.reject(new Error('the Postgres fallback was consulted')),
  outcomes: () => Promise.resolve(new Map()),
};

void describe('Redis idempotency store', () => {
  const prefix = `cmdapi-idem-it-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(prefix);
  const logger = createLogger({ level: 'warn', write: () => undefined });
  let redis: Redis;
  let store: IdempotencyStore;

  const claimOf = (key: string, commandId: string): IdempotencyClaim => ({
    scope: 'transfer',
    key,
    record: { commandId, requestHash: `hash-${key}`, subjectId: key },
  });

  before(async () => {
    redis = createRedisClient(readStackConfig().redisUrl, logger, 'idem-it');
    await redis.connect();
    store = createRedisIdempotencyStore({
      redis,
      keys,
      ttlSeconds: idempotencyTtlSecondsDefault,
      decided: decidedNotConsulted,
      metrics: commandApiMetrics(createMetricsRegistry('idem-it')),
      logger,
    });
  });

  after(async () => {
    const written = await redis.keys(`${prefix}:*`);
    if (written.length > 0) await redis.del(...written);
    redis.disconnect();
  });

  void it('given a claim, when its publish is confirmed, then it is kept for the idempotency TTL and its command reads as accepted', async () => {
    const claim = claimOf('confirmed', 'cmd-confirmed');
    assert.deepEqual(await store.claim([claim]), [undefined]);
    const pendingTtlMs = await redis.pttl(keys.idempotency('transfer', 'confirmed'));
    assert.ok(pendingTtlMs > 0 && pendingTtlMs <= claimPendingMs, `pending: ${pendingTtlMs}`);

    await store.confirm([claim]);
    const confirmedTtlMs = await redis.pttl(keys.idempotency('transfer', 'confirmed'));
    assert.ok(confirmedTtlMs > claimPendingMs, `confirmed: ${confirmedTtlMs}`);
    assert.deepEqual(await store.claim([claimOf('confirmed', 'cmd-retry')]), [claim.record]);
    assert.deepEqual((await store.states(['cmd-confirmed'])).get('cmd-confirmed'), {
      status: 'accepted',
      commandId: 'cmd-confirmed',
    });
  });

  void it('given a claim whose publish failed, when released, then the next attempt wins the key', async () => {
    const failed = claimOf('released', 'cmd-failed');
    assert.deepEqual(await store.claim([failed]), [undefined]);
    await store.release([failed]);
    assert.equal(await redis.exists(keys.idempotency('transfer', 'released')), 0);
    assert.deepEqual(await store.claim([claimOf('released', 'cmd-next')]), [undefined]);
  });

  void it('given a key now held by another attempt, when a stale attempt releases or confirms it, then the holder keeps it', async () => {
    const stale = claimOf('held', 'cmd-stale');
    const holder = claimOf('held', 'cmd-holder');
    assert.deepEqual(await store.claim([holder]), [undefined]);

    await store.release([stale]);
    await store.confirm([stale]);
    assert.deepEqual(await store.claim([stale]), [holder.record]);
    const ttlMs = await redis.pttl(keys.idempotency('transfer', 'held'));
    assert.ok(ttlMs <= claimPendingMs, `the stale confirm did not extend it: ${ttlMs}`);
  });
});
