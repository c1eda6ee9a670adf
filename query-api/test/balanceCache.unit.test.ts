import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import type { CachedAccount } from '../src/accountModel.ts';
import { createBalanceCache, type BalanceCacheOptions } from '../src/balanceCache.ts';
import { account, change, deferred, flushPromises } from './fixtures.ts';

type Loaded = CachedAccount | undefined;

/** A cache whose loads finish when the test resolves them, with counters for every hook. */
function cacheWithManualLoads(overrides: Partial<BalanceCacheOptions> = {}) {
  const loads: {
    accountId: string;
    finish: (value: Loaded) => void;
    fail: (e: unknown) => void;
  }[] = [];
  const counts = { hit: 0, miss: 0, eviction: 0, staleLoadRefused: 0, inFlight: 0 };
  const versions: [string, number][] = [];
  const cache = createBalanceCache({
    entriesMax: 100,
    loadsInFlightMax: 100,
    versionFloorsMax: 100,
    load: (accountId) => {
      const load = deferred<Loaded>();
      loads.push({ accountId, finish: load.resolve, fail: load.reject });
      return load.promise;
    },
    hooks: {
      hit: () => (counts.hit += 1),
      miss: () => (counts.miss += 1),
      eviction: () => (counts.eviction += 1),
      staleLoadRefused: () => (counts.staleLoadRefused += 1),
      loadsInFlight: (count) => (counts.inFlight = count),
    },
    onVersion: (accountId, version) => versions.push([accountId, version]),
    ...overrides,
  });
  return { cache, loads, counts, versions };
}

/** A cache whose loader answers at once from a map (the read model). */
function cacheOver(readModel: Map<string, CachedAccount>, overrides: Partial<BalanceCacheOptions>) {
  return createBalanceCache({
    entriesMax: 100,
    loadsInFlightMax: 100,
    versionFloorsMax: 100,
    load: (accountId) => Promise.resolve(readModel.get(accountId)),
    ...overrides,
  });
}

void describe('balanceCache', () => {
  void it('given 50 concurrent misses on one key, when they load, then one query runs and all get its result', async () => {
    const { cache, loads, counts } = cacheWithManualLoads();
    const reads = Array.from({ length: 50 }, () => cache.load('alice'));
    await flushPromises();
    assert.equal(loads.length, 1);
    assert.equal(counts.inFlight, 1);

    loads[0]?.finish(account('alice', 3, 300n));
    const results = await Promise.all(reads);

    assert.ok(results.every((result) => result?.version === 3 && result.balance === 300n));
    assert.equal(counts.miss, 50);
    assert.equal(counts.inFlight, 0);
    assert.equal(cache.getIfCached('alice')?.version, 3);
    assert.equal(counts.hit, 1);
  });

  void it('given a slow load that reads v3, when change v4 arrives before it returns, then v4 is served and cached and v3 never afterwards', async () => {
    const { cache, loads, versions } = cacheWithManualLoads();
    const read = cache.load('alice');
    await flushPromises();

    assert.equal(cache.applyChange(change('alice', 4, 400n)), 'held_for_load');
    loads[0]?.finish(account('alice', 3, 300n));
    const served = await read;

    assert.equal(served?.version, 4);
    assert.equal(served?.balance, 400n);
    assert.equal(served?.details?.status, 'open', 'details come from the loaded row');
    assert.equal(cache.getIfCached('alice')?.version, 4);
    assert.equal(cache.applyChange(change('alice', 3, 300n)), 'stale', 'the late v3 is refused');
    assert.equal(cache.getIfCached('alice')?.balance, 400n);
    assert.deepEqual(versions.at(-1), ['alice', 4]);
  });

  void it('given a slow load, when several changes arrive out of order meanwhile, then the highest one wins', async () => {
    const { cache, loads } = cacheWithManualLoads();
    const read = cache.load('alice');
    await flushPromises();
    for (const version of [6, 4, 7, 5, 7])
      cache.applyChange(change('alice', version, 100n * BigInt(version)));
    loads[0]?.finish(account('alice', 3, 300n));

    assert.equal((await read)?.version, 7);
    assert.equal(cache.getIfCached('alice')?.balance, 700n);
  });

  void it('given a load that reads a newer version than the changes seen meanwhile, then the loaded row wins', async () => {
    const { cache, loads } = cacheWithManualLoads();
    const read = cache.load('alice');
    await flushPromises();
    cache.applyChange(change('alice', 4, 400n));
    loads[0]?.finish(account('alice', 9, 900n));

    assert.equal((await read)?.version, 9);
  });

  void it('given a cached account, when changes arrive out of order and duplicated, then only newer versions replace it', () => {
    const readModel = new Map([['alice', account('alice', 2, 200n)]]);
    const cache = cacheOver(readModel, {});
    return cache.load('alice').then(() => {
      const outcomes = [5, 3, 5, 6, 4, 6].map((version) =>
        cache.applyChange(change('alice', version, 100n * BigInt(version))),
      );
      assert.deepEqual(outcomes, ['applied', 'stale', 'stale', 'applied', 'stale', 'stale']);
      assert.equal(cache.getIfCached('alice')?.version, 6);
      assert.equal(cache.getIfCached('alice')?.balance, 600n);
    });
  });

  void it('given an account holding part of its balance, when read by a miss and then by a hit, then both serve the same available balance', async () => {
    const readModel = new Map([['alice', { ...account('alice', 4, 1_000n), available: 650n }]]);
    const cache = cacheOver(readModel, {});

    const missed = await cache.load('alice');
    const hit = cache.getIfCached('alice');

    assert.equal(missed?.availableText, '650');
    assert.equal(hit?.availableText, '650');
    assert.equal(hit?.balanceText, '1000');
    assert.deepEqual({ ...hit }, { ...missed });
  });

  void it('given a cached account holding part of its balance, when changes with and without available arrive, then each sets available (absent: the balance)', async () => {
    const readModel = new Map([['alice', { ...account('alice', 4, 1_000n), available: 650n }]]);
    const cache = cacheOver(readModel, {});
    await cache.load('alice');

    cache.applyChange({ ...change('alice', 5, 1_000n), available: 400n }); // another hold
    assert.equal(cache.getIfCached('alice')?.availableText, '400');
    cache.applyChange(change('alice', 6, 900n)); // a writer before holds: nothing is held
    assert.equal(cache.getIfCached('alice')?.availableText, '900');
    assert.equal(cache.getIfCached('alice')?.available, 900n);
  });

  void it('given a slow load of an account holding nothing, when a hold arrives meanwhile, then the change held for the load brings its available balance', async () => {
    const { cache, loads } = cacheWithManualLoads();
    const read = cache.load('alice');
    await flushPromises();
    cache.applyChange({ ...change('alice', 4, 300n), available: 100n });
    loads[0]?.finish(account('alice', 3, 300n));

    const served = await read;
    assert.equal(served?.version, 4);
    assert.equal(served?.availableText, '100');
    assert.equal(cache.getIfCached('alice')?.availableText, '100');
  });

  void it('given an uncached key with no load running, when a change arrives, then it is not kept (the read model has it)', () => {
    const { cache, versions } = cacheWithManualLoads();
    assert.equal(cache.applyChange(change('bob', 2, 5n)), 'uncached');
    assert.equal(cache.getIfCached('bob'), undefined);
    assert.deepEqual(versions, [['bob', 2]], 'waiters still learn the version exists');
  });

  void it('given entriesMax 2, when a third account loads, then the least recently used is evicted', async () => {
    const readModel = new Map(['a', 'b', 'c'].map((id) => [id, account(id, 1, 0n)]));
    let evictions = 0;
    const cache = cacheOver(readModel, {
      entriesMax: 2,
      hooks: { eviction: () => (evictions += 1) },
    });
    await cache.load('a');
    await cache.load('b');
    cache.getIfCached('a'); // a is now more recent than b
    await cache.load('c');

    assert.equal(cache.size, 2);
    assert.equal(evictions, 1);
    assert.equal(cache.getIfCached('b'), undefined);
    assert.ok(cache.getIfCached('a') && cache.getIfCached('c'));
  });

  void it('given an evicted entry served at v5, when a reload reads v4, then it is refused and never served', async () => {
    const readModel = new Map(['a', 'b'].map((id) => [id, account(id, 1, 0n)]));
    let refused = 0;
    const cache = cacheOver(readModel, {
      entriesMax: 1,
      hooks: { staleLoadRefused: () => (refused += 1) },
    });
    await cache.load('a');
    cache.applyChange(change('a', 5, 50n));
    await cache.load('b'); // evicts a at v5
    readModel.set('a', account('a', 4, 40n)); // a read model gone back (a rebuild in progress)

    await assert.rejects(cache.load('a'), (error: unknown) => {
      assert.ok(error instanceof LedgerError);
      assert.equal(error.code, 'unavailable');
      assert.equal(error.options.retryAfterSeconds, 1);
      return true;
    });
    assert.equal(refused, 1);
    assert.equal(cache.getIfCached('a'), undefined);

    readModel.set('a', account('a', 5, 50n));
    assert.equal((await cache.load('a'))?.version, 5, 'caught up: served again');
  });

  void it('given loadsInFlightMax 1, when a second key misses meanwhile, then it is refused with overloaded and the same key still joins', async () => {
    const { cache, loads } = cacheWithManualLoads({ loadsInFlightMax: 1 });
    const first = cache.load('a');
    await assert.rejects(cache.load('b'), (error: unknown) => {
      assert.ok(error instanceof LedgerError);
      assert.equal(error.code, 'overloaded');
      return true;
    });
    const joined = cache.load('a');
    await flushPromises();
    loads[0]?.finish(account('a', 1, 0n));
    assert.equal(await first, await joined);
    assert.equal(loads.length, 1);
  });

  void it('given an unknown account, when loaded, then undefined is returned and nothing is cached', async () => {
    const cache = cacheOver(new Map(), {});
    assert.equal(await cache.load('ghost'), undefined);
    assert.equal(cache.size, 0);
  });

  void it('given an account opened during its load, when the load finds nothing, then it reads again and serves it', async () => {
    const { cache, loads } = cacheWithManualLoads();
    const read = cache.load('new');
    await flushPromises();
    cache.applyChange(change('new', 1, 0n));
    loads[0]?.finish(undefined);
    await flushPromises();
    assert.equal(loads.length, 2, 'read once more');
    loads[1]?.finish(account('new', 1, 0n));
    assert.equal((await read)?.version, 1);
  });

  void it('given a failing load, when it fails, then every joined request gets the error and the next miss retries', async () => {
    const { cache, loads, counts } = cacheWithManualLoads();
    const reads = [cache.load('a'), cache.load('a')];
    await flushPromises();
    loads[0]?.fail(new Error('connection reset'));
    const results = await Promise.allSettled(reads);
    assert.ok(results.every((result) => result.status === 'rejected'));
    assert.equal(counts.inFlight, 0);

    const retry = cache.load('a');
    await flushPromises();
    assert.equal(loads.length, 2);
    loads[1]?.finish(account('a', 1, 0n));
    assert.equal((await retry)?.version, 1);
  });

  void it('given a loader that throws at once, when loaded, then the flight is still removed', async () => {
    const cache = cacheOver(new Map(), {
      load: () => {
        throw new Error('pool closed');
      },
    });
    await assert.rejects(cache.load('a'), /pool closed/);
    assert.equal(cache.loadsInFlight, 0);
  });
});
