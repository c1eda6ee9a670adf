import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalanceSnapshot, CachedAccount } from '../src/accountModel.ts';
import { createBalanceCache } from '../src/balanceCache.ts';
import { account, change, deferred, flushPromises, seededRandom } from './fixtures.ts';

/**
 * A seeded random interleaving of everything that happens to the cache: the projector commits a
 * version to the read model and publishes it (sometimes twice), the feed delivers published
 * changes in any order, requests read (hits and misses), and slow loads finish in any order,
 * having read the read model either when they started or when they finish. A small entriesMax
 * forces evictions and reloads. After every step no key may have been served a version below
 * one served before, and no cached entry may be older than a change already delivered for its
 * key (the stale-read race); at the end every key serves exactly the read model's version.
 * Some versions hold part of the balance (`heldAt`): every entry served, hit or miss, has the
 * available balance of its version, whether the change carried it or (nothing held, a writer
 * before holds) left it out.
 * Account changes commit a new revision (status and metadata) at the same version and publish it:
 * every entry served has the details of its revision, revisions served never go back, a hit is
 * never older than a revision already delivered, and at the end every key serves the read
 * model's revision.
 */
const seeds = Array.from({ length: 20 }, (_, index) => index + 1);
const stepsPerSeed = 2_000;
const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
/** What the account's pending transfers hold after a version. */
const heldAt = (version: number): bigint => (version % 3 === 2 ? 4n : 0n);

interface PendingLoad {
  readonly accountId: string;
  readonly snapshotAtStart: CachedAccount;
  readonly finish: (value: CachedAccount) => void;
}

/** The read model's row of `key`: its details name their revision (frozen on even ones). */
function row(key: string, version: number, balance: bigint, revision: number): CachedAccount {
  const base = account(key, version, balance);
  assert.ok(base.details !== undefined);
  return {
    ...base,
    // Revision 1 sometimes left out, as loaders that do not know revisions do.
    ...(revision === 1 && version % 2 === 0 ? {} : { revision }),
    details: {
      ...base.details,
      status: revision % 2 === 0 ? 'frozen' : 'open',
      metadata: { revision: String(revision) },
    },
  };
}

async function runSequence(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    assert.ok(item !== undefined);
    return item;
  };
  const readModel = new Map(keys.map((key) => [key, row(key, 1, 0n, 1)]));
  const inTransit: BalanceSnapshot[] = [];
  const pendingLoads: PendingLoad[] = [];
  const highestServed = new Map<string, number>();
  const highestDelivered = new Map<string, number>();
  const highestServedRevision = new Map<string, number>();
  const highestDeliveredRevision = new Map<string, number>();
  let refused = 0;
  let loadsAnswerAtOnce = false;

  const cache = createBalanceCache({
    entriesMax: 3,
    loadsInFlightMax: 100,
    versionFloorsMax: 100,
    load: (accountId) => {
      const load = deferred<CachedAccount>();
      const current = readModel.get(accountId);
      assert.ok(current !== undefined);
      if (loadsAnswerAtOnce) return Promise.resolve(current);
      pendingLoads.push({ accountId, snapshotAtStart: current, finish: load.resolve });
      return load.promise;
    },
    hooks: { staleLoadRefused: () => (refused += 1) },
  });

  const serve = (served: CachedAccount | undefined, step: number, hit: boolean): void => {
    assert.ok(served !== undefined);
    const revision = served.revision ?? 1;
    const at = `seed ${seed} step ${step}: ${served.accountId} r${revision}`;
    assert.deepEqual(served.details?.metadata, { revision: String(revision) }, at);
    assert.ok(revision >= (highestServedRevision.get(served.accountId) ?? 1), `${at} went back`);
    highestServedRevision.set(served.accountId, revision);
    if (hit) {
      const delivered = highestDeliveredRevision.get(served.accountId) ?? 1;
      assert.ok(revision >= delivered, `${at} served as a hit after r${delivered} was delivered`);
    }
    const before = highestServed.get(served.accountId) ?? 0;
    assert.ok(
      served.version >= before,
      `seed ${seed} step ${step}: ${served.accountId} served v${served.version} after v${before}`,
    );
    highestServed.set(served.accountId, served.version);
    assert.equal(
      served.available,
      served.balance - heldAt(served.version),
      `seed ${seed} step ${step}: ${served.accountId} v${served.version} available`,
    );
  };

  for (let step = 0; step < stepsPerSeed; step += 1) {
    const action = random();
    if (action < 0.05) {
      // An account change: a new revision at the same version and balance, committed, published.
      const key = pick(keys);
      const current = readModel.get(key);
      assert.ok(current !== undefined);
      const revision = (current.revision ?? 1) + 1;
      const { available } = current;
      readModel.set(key, {
        ...row(key, current.version, current.balance, revision),
        ...(available === undefined ? {} : { available }),
      });
      const changed = {
        ...change(key, current.version, current.balance),
        ...(available === undefined ? {} : { available }),
        revision,
      };
      inTransit.push(changed);
      if (random() < 0.2) inTransit.push({ ...changed }); // again
    } else if (action < 0.25) {
      const key = pick(keys);
      const next = (readModel.get(key)?.version ?? 0) + 1;
      const balance = BigInt(next) * 10n;
      // Nothing held: sometimes said (available = balance), sometimes left out (older writers).
      const available =
        heldAt(next) === 0n && random() < 0.5 ? {} : { available: balance - heldAt(next) };
      // The processor commits, then publishes; the change carries the account's revision.
      const revision = readModel.get(key)?.revision ?? 1;
      readModel.set(key, { ...row(key, next, balance, revision), ...available });
      const posted = { ...change(key, next, balance), ...available, revision };
      inTransit.push(posted);
      if (random() < 0.2) inTransit.push({ ...posted }); // again
    } else if (action < 0.5 && inTransit.length > 0) {
      const [delivered] = inTransit.splice(Math.floor(random() * inTransit.length), 1);
      if (delivered !== undefined) {
        cache.applyChange(delivered);
        const before = highestDelivered.get(delivered.accountId) ?? 0;
        highestDelivered.set(delivered.accountId, Math.max(before, delivered.version));
        const revisionBefore = highestDeliveredRevision.get(delivered.accountId) ?? 1;
        highestDeliveredRevision.set(
          delivered.accountId,
          Math.max(revisionBefore, delivered.revision ?? 1),
        );
      }
    } else if (action < 0.75) {
      const key = pick(keys);
      const hit = cache.getIfCached(key);
      if (hit !== undefined) serve(hit, step, true);
      else void cache.load(key).then((loaded) => serve(loaded, step, false));
    } else if (pendingLoads.length > 0) {
      const [load] = pendingLoads.splice(Math.floor(random() * pendingLoads.length), 1);
      if (load !== undefined) {
        // The query's snapshot falls anywhere between the start and the end of the load.
        const atEnd = readModel.get(load.accountId);
        load.finish(random() < 0.5 || atEnd === undefined ? load.snapshotAtStart : atEnd);
      }
    }
    await flushPromises();
    for (const key of keys) {
      const cached = cache.peekVersion(key);
      const delivered = highestDelivered.get(key) ?? 0;
      assert.ok(
        cached === undefined || cached >= delivered,
        `seed ${seed} step ${step}: ${key} cached at v${cached} after v${delivered} was delivered`,
      );
    }
  }

  // Writes stop: the feed drains, slow loads finish, then every key serves the read model.
  while (inTransit.length > 0 || pendingLoads.length > 0) {
    const delivered = inTransit.shift();
    if (delivered !== undefined) cache.applyChange(delivered);
    const load = pendingLoads.shift();
    load?.finish(readModel.get(load.accountId) ?? load.snapshotAtStart);
    await flushPromises();
  }
  loadsAnswerAtOnce = true;
  for (const key of keys) {
    const { account: served } = await cache.get(key);
    serve(served, stepsPerSeed, false);
    assert.equal(served?.version, readModel.get(key)?.version, `seed ${seed}: ${key} converged`);
    assert.equal(served?.balance, readModel.get(key)?.balance);
    assert.equal(served?.revision, readModel.get(key)?.revision ?? 1, `seed ${seed}: ${key} r`);
  }
  assert.equal(refused, 0, 'the read model never went back, so no reload is refused');
}

void describe('balanceCache under random interleavings', () => {
  for (const seed of seeds) {
    void it(`given seed ${seed}, when commits, deliveries, reads and loads interleave, then served versions and revisions never go back and converge`, async () => {
      await runSequence(seed);
    });
  }
});
