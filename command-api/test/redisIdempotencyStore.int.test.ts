import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createLogger,
  createMetricsRegistry,
  createRedisClient,
  readStackConfig,
} from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { IdempotencyClaim, IdempotencyStore, LedgerDecision } from '../src/appDeps.ts';
import { commandApiMetrics } from '../src/commandApiMetrics.ts';
import type { DecidedCommands } from '../src/postgres/decidedCommands.ts';
import type { DecisionPoller } from '../src/postgres/decisionPoller.ts';
import { createOwnerLease, ownerLeaseTtlMs, type OwnerLease } from '../src/redis/ownerLease.ts';
import {
  claimPendingMs,
  createRedisIdempotencyStore,
  idempotencyTtlSecondsDefault,
} from '../src/redis/redisIdempotencyStore.ts';
import { redisKeys } from '../src/redis/redisKeys.ts';

// The accept-side claim lifecycle against the real Redis (the in-memory fake of the HTTP unit
// tests cannot tell whether the Lua scripts actually run): claim → confirm or release, and a
// dead owner's pending claim taken over once its lease lapses.

/** Redis is up in these tests: the Postgres fallback is never consulted, and says so if it is. */
const decidedNotConsulted: DecidedCommands = {
  transfersByKey: () => Promise.reject(new Error('the Postgres fallback was consulted')),
  accountsById: () => Promise.reject(new Error('the Postgres fallback was consulted')),
  outcomes: () => Promise.resolve(new Map()),
  decisions: () => Promise.reject(new Error('the Postgres fallback was consulted')),
};

/** The ledger's decisions as a test sets them, found at once. */
class FakeDecisions implements DecisionPoller {
  readonly decided = new Map<string, LedgerDecision>();
  waitFor(commandIds: readonly string[]): Promise<ReadonlyMap<string, LedgerDecision>> {
    const found = new Map<string, LedgerDecision>();
    for (const commandId of commandIds) {
      const decision = this.decided.get(commandId);
      if (decision !== undefined) found.set(commandId, decision);
    }
    return Promise.resolve(found);
  }
  close(): void {}
}

const won = { previous: undefined, verified: true };
const takenOver = { previous: undefined, verified: false };
const heldBy = (claim: IdempotencyClaim) => ({ previous: claim.record, verified: true });
/** Slack on top of the lease TTL for the polling and the Redis round trips of the test. */
const takeoverSlackMs = 500;

void describe('Redis idempotency store', () => {
  const prefix = `cmdapi-idem-it-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(prefix);
  const logger = createLogger({ level: 'warn', write: () => undefined });
  const registry = createMetricsRegistry('idem-it');
  const decisions = new FakeDecisions();
  let redis: Redis;
  let store: IdempotencyStore;
  let mainLease: OwnerLease;

  const claimOf = (key: string, commandId: string): IdempotencyClaim => ({
    scope: 'transfer',
    key,
    record: { commandId, requestHash: `hash-${key}`, subjectId: key },
  });
  /** Another command API instance on the same Redis. */
  const instance = (ownerId: string, decided = decidedNotConsulted) =>
    createRedisIdempotencyStore({
      redis,
      keys,
      ttlSeconds: idempotencyTtlSecondsDefault,
      ownerId,
      decided,
      decisions,
      metrics: commandApiMetrics(registry),
      logger,
    });
  /** An instance's last lease renewal, as ownerLease.ts writes it; a dead one never renews. */
  const leaseRenewedOnce = (ownerId: string) =>
    redis.set(keys.owner(ownerId), '1', 'PX', ownerLeaseTtlMs);
  /** A claim pending under an instance without a lease (it died before confirming). */
  const claimedByDeadOwner = async (ownerId: string, key: string, commandId: string) => {
    const claim = claimOf(key, commandId);
    assert.deepEqual(await instance(ownerId).claim([claim]), [won]);
    return claim;
  };

  before(async () => {
    redis = createRedisClient(readStackConfig().redisUrl, logger, 'idem-it');
    await redis.connect();
    store = instance('owner-main');
    mainLease = createOwnerLease({ redis, keys, ownerId: 'owner-main', logger });
    await mainLease.start();
  });

  after(async () => {
    await mainLease.stop();
    const written = await redis.keys(`${prefix}:*`);
    if (written.length > 0) await redis.del(...written);
    redis.disconnect();
  });

  void it('given a claim, when its publish is confirmed, then it is kept for the idempotency TTL and its command reads as accepted', async () => {
    const claim = claimOf('confirmed', 'cmd-confirmed');
    assert.deepEqual(await store.claim([claim]), [won]);
    const pendingTtlMs = await redis.pttl(keys.idempotency('transfer', 'confirmed'));
    assert.ok(pendingTtlMs > 0 && pendingTtlMs <= claimPendingMs, `pending: ${pendingTtlMs}`);

    await store.confirm([claim]);
    const confirmedTtlMs = await redis.pttl(keys.idempotency('transfer', 'confirmed'));
    assert.ok(confirmedTtlMs > claimPendingMs, `confirmed: ${confirmedTtlMs}`);
    assert.deepEqual(await store.claim([claimOf('confirmed', 'cmd-retry')]), [heldBy(claim)]);
    assert.deepEqual((await store.states(['cmd-confirmed'])).get('cmd-confirmed'), {
      status: 'accepted',
      commandId: 'cmd-confirmed',
    });
  });

  void it('given a claim whose publish failed, when released, then the next attempt wins the key', async () => {
    const failed = claimOf('released', 'cmd-failed');
    assert.deepEqual(await store.claim([failed]), [won]);
    await store.release([failed]);
    assert.equal(await redis.exists(keys.idempotency('transfer', 'released')), 0);
    assert.deepEqual(await store.claim([claimOf('released', 'cmd-next')]), [won]);
  });

  void it('given a key now held by another attempt, when a stale attempt releases or confirms it, then the holder keeps it', async () => {
    const stale = claimOf('held', 'cmd-stale');
    const holder = claimOf('held', 'cmd-holder');
    assert.deepEqual(await store.claim([holder]), [won]);

    await store.release([stale]);
    await store.confirm([stale]);
    assert.deepEqual(await store.claim([stale]), [heldBy(holder)]);
    const ttlMs = await redis.pttl(keys.idempotency('transfer', 'held'));
    assert.ok(ttlMs <= claimPendingMs, `the stale confirm did not extend it: ${ttlMs}`);
  });

  void it('given a pending claim whose owner died, when another instance claims the key, then it waits only for the lease to lapse and takes the claim over unverified', async () => {
    const dead = instance('owner-dead');
    const taker = store;
    await leaseRenewedOnce('owner-dead');
    const diedAt = Date.now();
    const orphan = claimOf('orphaned', 'cmd-orphan');
    assert.deepEqual(await dead.claim([orphan]), [won]);

    const attempt = claimOf('orphaned', 'cmd-taker');
    assert.deepEqual(await taker.claim([attempt]), [heldBy(orphan)]);
    let result = await taker.claim([attempt]);
    while (result[0]?.previous !== undefined && Date.now() - diedAt < claimPendingMs) {
      await sleep(50);
      result = await taker.claim([attempt]);
    }
    const freedAfterMs = Date.now() - diedAt;
    assert.deepEqual(result, [takenOver]);
    assert.ok(freedAfterMs >= ownerLeaseTtlMs - takeoverSlackMs, 'held while the lease lasted');
    assert.ok(
      freedAfterMs <= ownerLeaseTtlMs + takeoverSlackMs,
      `taken over after ${freedAfterMs} ms, lease ${ownerLeaseTtlMs} ms`,
    );
    assert.match(await registry.metrics(), /command_api_idempotency_takeovers_total\{[^}]*\} 1/);

    // Fenced: the dead owner's late release or confirm leaves the taker's claim alone.
    await dead.release([orphan]);
    await dead.confirm([orphan]);
    assert.deepEqual(await instance('owner-third').claim([claimOf('orphaned', 'cmd-third')]), [
      heldBy(attempt),
    ]);
  });

  void it('given a pending claim whose owner renews its lease, when another instance claims after the lease TTL, then the claim is still respected', async () => {
    const lease = createOwnerLease({ redis, keys, ownerId: 'owner-live', logger });
    await lease.start();
    try {
      const live = instance('owner-live');
      const slow = claimOf('slow-publish', 'cmd-slow');
      assert.deepEqual(await live.claim([slow]), [won]);
      await sleep(ownerLeaseTtlMs + takeoverSlackMs);
      assert.deepEqual(await instance('owner-other').claim([claimOf('slow-publish', 'cmd-x')]), [
        heldBy(slow),
      ]);
      assert.deepEqual(await live.claim([claimOf('slow-publish', 'cmd-y')]), [heldBy(slow)]);
    } finally {
      await lease.stop();
    }
    assert.equal(await redis.exists(keys.owner('owner-live')), 0, 'a stopped lease is deleted');
  });

  void it('given a confirmed claim whose owner died, when another instance claims the key, then it is a replay, never taken over', async () => {
    const dead = instance('owner-gone');
    const confirmed = claimOf('confirmed-then-died', 'cmd-kept');
    assert.deepEqual(await dead.claim([confirmed]), [won]);
    await dead.confirm([confirmed]);
    assert.equal(await redis.exists(keys.owner('owner-gone')), 0, 'its lease is gone');
    assert.deepEqual(await store.claim([claimOf('confirmed-then-died', 'cmd-later')]), [
      heldBy(confirmed),
    ]);
  });

  void it('given a claim taken over from a dead owner that had published, when the ledger finds the new command a replay, then the key holds the original again', async () => {
    const original = await claimedByDeadOwner(
      'owner-published',
      'published-then-died',
      'cmd-original',
    );
    const retry = claimOf('published-then-died', 'cmd-retry-2');
    assert.deepEqual(await store.claim([retry]), [takenOver]);
    await store.confirm([retry]);
    decisions.decided.set('cmd-retry-2', {
      outcome: { commandId: 'cmd-retry-2', status: 'applied', versions: { a: 2, b: 2 } },
      subjectId: 'published-then-died',
      replayOf: 'cmd-original',
    });

    const settled = await store.settle([retry]);
    assert.equal(settled.get('cmd-retry-2')?.replayOf, 'cmd-original');
    assert.deepEqual(await store.claim([claimOf('published-then-died', 'cmd-later')]), [
      heldBy(original),
    ]);
  });

  void it('given a claim taken over from a dead owner, when the ledger refuses the new command as a key conflict, then the key holds the decided original, not the refused body', async () => {
    const original = await claimedByDeadOwner('owner-conflicted', 'conflicted', 'cmd-first-body');
    const ledger: DecidedCommands = {
      ...decidedNotConsulted,
      transfersByKey: (wanted) =>
        Promise.resolve(
          new Map(wanted.includes('conflicted') ? [['conflicted', original.record]] : []),
        ),
      accountsById: () => Promise.resolve(new Map()),
    };
    const taker = instance('owner-main', ledger);
    const otherBody: IdempotencyClaim = {
      ...claimOf('conflicted', 'cmd-other-body'),
      record: { commandId: 'cmd-other-body', requestHash: 'hash-other', subjectId: 'conflicted' },
    };
    assert.deepEqual(await taker.claim([otherBody]), [takenOver]);
    await taker.confirm([otherBody]);
    decisions.decided.set('cmd-other-body', {
      outcome: { commandId: 'cmd-other-body', status: 'rejected', code: 'idempotency_conflict' },
      subjectId: 'conflicted',
      replayOf: undefined,
    });

    await taker.settle([otherBody]);
    assert.deepEqual(await store.claim([claimOf('conflicted', 'cmd-first-body-retry')]), [
      heldBy(original),
    ]);
  });
});

void describe('owner lease', () => {
  const prefix = `cmdapi-lease-it-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(prefix);
  const logger = createLogger({ level: 'warn', write: () => undefined });
  let redis: Redis;

  before(async () => {
    redis = createRedisClient(readStackConfig().redisUrl, logger, 'lease-it');
    await redis.connect();
  });
  after(async () => {
    const written = await redis.keys(`${prefix}:*`);
    if (written.length > 0) await redis.del(...written);
    redis.disconnect();
  });

  void it('given a started lease, when time passes beyond its TTL, then renewals keep it, and stop deletes it', async () => {
    const ttlMs = 300;
    const lease = createOwnerLease({
      redis,
      keys,
      ownerId: 'renewing',
      logger,
      ttlMs,
      renewMs: 100,
    });
    await lease.start();
    const ttlAtStart = await redis.pttl(keys.owner('renewing'));
    assert.ok(ttlAtStart > 0 && ttlAtStart <= ttlMs, `TTL ${ttlAtStart}`);
    await sleep(3 * ttlMs);
    assert.equal(await redis.exists(keys.owner('renewing')), 1, 'renewed past its TTL');
    await lease.stop();
    assert.equal(await redis.exists(keys.owner('renewing')), 0);
  });
});
