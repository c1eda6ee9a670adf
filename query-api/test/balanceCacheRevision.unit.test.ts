import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import type { BalanceSnapshot, CachedAccount } from '../src/accountModel.ts';
import { createBalanceCache, type BalanceCacheOptions } from '../src/balanceCache.ts';
import { account, change, deferred, flushPromises } from './fixtures.ts';

/**
 * Account changes (freeze, unfreeze, close, metadata update) raise an account's revision, not its
 * version, and reach the cache as a BalanceChanged with the new revision (balanceCache.ts).
 */

/** The account at a revision: frozen on even revisions, its metadata naming the revision. */
function atRevision(
  accountId: string,
  version: number,
  balance: bigint,
  revision: number,
): CachedAccount {
  const base = account(accountId, version, balance);
  assert.ok(base.details !== undefined);
  return {
    ...base,
    revision,
    details: {
      ...base.details,
      status: revision % 2 === 0 ? 'frozen' : 'open',
      metadata: { revision: String(revision) },
    },
  };
}

const changeAt = (
  accountId: string,
  version: number,
  balance: bigint,
  revision: number,
): BalanceSnapshot => ({ ...change(accountId, version, balance), revision });

/** A cache over a read model in a map; `loads` counts queries, `hold` makes the next one wait. */
function cacheOver(readModel: Map<string, CachedAccount>, overrides: Partial<BalanceCacheOptions>) {
  const counts = { loads: 0, refused: 0 };
  const versions: [string, number][] = [];
  const held: { finish: (value: CachedAccount | undefined) => void }[] = [];
  let holdNext = false;
  const cache = createBalanceCache({
    entriesMax: 100,
    loadsInFlightMax: 100,
    versionFloorsMax: 100,
    load: (accountId) => {
      counts.loads += 1;
      if (!holdNext) return Promise.resolve(readModel.get(accountId));
      holdNext = false;
      const load = deferred<CachedAccount | undefined>();
      held.push({ finish: load.resolve });
      return load.promise;
    },
    hooks: { staleLoadRefused: () => (counts.refused += 1) },
    onVersion: (accountId, version) => versions.push([accountId, version]),
    ...overrides,
  });
  return { cache, counts, versions, held, holdNextLoad: () => (holdNext = true) };
}

void describe('balanceCache and account revisions', () => {
  void it('given a cached account, when a change at the same version with a higher revision arrives, then it is not stale: the entry is dropped and the next read loads the new status and metadata in one query', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 1)]]);
    const { cache, counts, versions } = cacheOver(readModel, {});
    await cache.load('alice');
    readModel.set('alice', atRevision('alice', 3, 300n, 2)); // frozen: committed, then published

    assert.equal(cache.applyChange(changeAt('alice', 3, 300n, 2)), 'invalidated');
    assert.equal(cache.getIfCached('alice'), undefined);
    assert.deepEqual(versions.at(-1), ['alice', 3], 'waiters still hear of the version');
    const reads = await Promise.all([cache.load('alice'), cache.load('alice')]);

    assert.equal(counts.loads, 2, 'one query for the reload, shared');
    for (const read of reads) {
      assert.equal(read?.revision, 2);
      assert.equal(read?.status, 'frozen');
      assert.deepEqual(read?.details?.metadata, { revision: '2' });
      assert.equal(read?.version, 3);
    }
    assert.equal(cache.getIfCached('alice')?.revision, 2, 'cached again');
  });

  void it('given a cached account at revision 2, when the same revision or a lower one comes again, then it is stale, or only its balance is applied', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 2)]]);
    const { cache } = cacheOver(readModel, {});
    await cache.load('alice');

    assert.equal(cache.applyChange(changeAt('alice', 3, 300n, 2)), 'stale', 'a duplicate');
    assert.equal(cache.applyChange(changeAt('alice', 2, 200n, 1)), 'stale', 'overtaken');
    assert.equal(cache.applyChange(change('alice', 4, 400n)), 'applied', 'revision absent: 1');
    const entry = cache.getIfCached('alice');
    assert.equal(entry?.version, 4);
    assert.equal(entry?.balance, 400n);
    assert.equal(entry?.revision, 2, 'the details stay those of revision 2');
    assert.equal(entry?.status, 'frozen');
  });

  void it('given a cached account, when a change with a higher version and a higher revision arrives, then the entry is dropped and reloaded with both', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 1)]]);
    const { cache } = cacheOver(readModel, {});
    await cache.load('alice');
    readModel.set('alice', atRevision('alice', 5, 500n, 2));

    assert.equal(cache.applyChange(changeAt('alice', 5, 500n, 2)), 'invalidated');
    const { account: read, hit } = await cache.get('alice');

    assert.equal(hit, false);
    assert.deepEqual([read?.version, read?.balance, read?.revision], [5, 500n, 2]);
  });

  void it('given an entry dropped for a newer revision at v5, when the reload reads v4, then it is refused as after an eviction', async () => {
    const readModel = new Map([['alice', atRevision('alice', 5, 500n, 1)]]);
    const { cache, counts } = cacheOver(readModel, {});
    await cache.load('alice');
    cache.applyChange(changeAt('alice', 5, 500n, 2));
    readModel.set('alice', atRevision('alice', 4, 400n, 2)); // a read model gone back

    await assert.rejects(
      cache.load('alice'),
      (error: unknown) => error instanceof LedgerError && error.code === 'unavailable',
    );
    assert.equal(counts.refused, 1);
  });

  void it('given a slow load that reads revision 1, when a change at revision 2 arrives meanwhile, then the load answers its requests but is not cached, and the next read loads revision 2', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 1)]]);
    const { cache, counts, held, holdNextLoad } = cacheOver(readModel, {});
    holdNextLoad();
    const read = cache.load('alice');
    await flushPromises();
    const snapshot = readModel.get('alice');
    readModel.set('alice', atRevision('alice', 3, 300n, 2));

    assert.equal(cache.applyChange(changeAt('alice', 3, 300n, 2)), 'held_for_load');
    held[0]?.finish(snapshot);
    const served = await read;

    assert.equal(served?.revision, 1, 'the query read from before the change');
    assert.equal(cache.getIfCached('alice'), undefined, 'not cached with older details');
    assert.equal(cache.tracks('alice'), false);
    const next = await cache.load('alice');
    assert.equal(counts.loads, 2);
    assert.equal(next?.revision, 2);
    assert.equal(next?.status, 'frozen');
    assert.equal(cache.getIfCached('alice')?.revision, 2);
  });

  void it('given a slow load, when a newer balance and then a newer revision arrive meanwhile, then the result is not cached and the next read is not served a lower version', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 1)]]);
    const { cache, held, holdNextLoad } = cacheOver(readModel, {});
    holdNextLoad();
    const read = cache.load('alice');
    await flushPromises();
    cache.applyChange(changeAt('alice', 4, 400n, 1));
    cache.applyChange(changeAt('alice', 4, 400n, 2));
    held[0]?.finish(atRevision('alice', 3, 300n, 1));

    const served = await read;
    assert.deepEqual([served?.version, served?.revision], [4, 1], 'the held balance, old details');
    assert.equal(cache.getIfCached('alice'), undefined);
    readModel.set('alice', atRevision('alice', 3, 300n, 2)); // a read model gone back
    await assert.rejects(
      cache.load('alice'),
      (error: unknown) => error instanceof LedgerError && error.code === 'unavailable',
      'v4 was served: its version is a floor',
    );
    readModel.set('alice', atRevision('alice', 4, 400n, 2));
    assert.equal((await cache.load('alice'))?.revision, 2);
  });

  void it('given a slow load that reads revision 2, when the change to revision 2 arrives meanwhile, then the row is as new as the change and is cached', async () => {
    const readModel = new Map([['alice', atRevision('alice', 3, 300n, 2)]]);
    const { cache, held, holdNextLoad } = cacheOver(readModel, {});
    holdNextLoad();
    const read = cache.load('alice');
    await flushPromises();
    cache.applyChange(changeAt('alice', 4, 350n, 2));
    held[0]?.finish(readModel.get('alice'));

    const served = await read;
    assert.deepEqual([served?.version, served?.balance, served?.revision], [4, 350n, 2]);
    assert.equal(cache.getIfCached('alice')?.revision, 2);
    assert.equal(cache.getIfCached('alice')?.status, 'frozen');
  });

  void it('given a change with a higher revision for an uncached key with no load, when applied, then it is not kept (the ledger row has it)', () => {
    const { cache } = cacheOver(new Map(), {});
    assert.equal(cache.applyChange(changeAt('bob', 2, 0n, 3)), 'uncached');
  });
});
