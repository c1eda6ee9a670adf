import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import type { CachedAccount } from '../src/accountModel.ts';
import { createAccountReader } from '../src/accountReader.ts';
import { createBalanceCache } from '../src/balanceCache.ts';
import { createVersionWaiters, type Timers } from '../src/versionWaiters.ts';
import { account, change, flushPromises } from './fixtures.ts';

/** Reader over an in-memory read model, with timers the test fires by hand. */
function setup(readModel: Map<string, CachedAccount>) {
  const timeouts: (() => void)[] = [];
  const timers: Timers = {
    setTimeout: (callback) => timeouts.push(callback),
    clearTimeout: () => undefined,
  };
  const waiters = createVersionWaiters({ waitersMax: 10, waitersPerAccountMax: 10, timers });
  const counts = { loads: 0 };
  const load = (accountId: string) => {
    counts.loads += 1;
    return Promise.resolve(readModel.get(accountId));
  };
  const cache = createBalanceCache({
    entriesMax: 10,
    loadsInFlightMax: 10,
    versionFloorsMax: 10,
    load,
    onVersion: (accountId, version) => waiters.notify(accountId, version),
  });
  const reader = createAccountReader({ cache, waiters, now: () => 0 });
  return {
    reader,
    cache,
    counts,
    fireTimeouts: () => timeouts.splice(0).forEach((fire) => fire()),
  };
}

function codeOf(error: unknown): string | undefined {
  return error instanceof LedgerError ? error.code : undefined;
}

void describe('accountReader', () => {
  void it('given an uncached account, when read twice, then the first is a miss and the second a hit', async () => {
    const { reader } = setup(new Map([['alice', account('alice', 2, 20n)]]));
    const first = await reader.read('alice', { minVersion: undefined, waitMs: 2_000 });
    const second = await reader.read('alice', { minVersion: undefined, waitMs: 2_000 });
    assert.deepEqual([first.hit, second.hit], [false, true]);
    assert.equal(reader.cachedAtLeast('alice', 2)?.version, 2);
    assert.equal(reader.cachedAtLeast('alice', 3), undefined);
  });

  void it('given an unknown account and no minVersion, when read, then not_found', async () => {
    const { reader } = setup(new Map());
    await assert.rejects(
      reader.read('ghost', { minVersion: undefined, waitMs: 2_000 }),
      (error) => codeOf(error) === 'not_found',
    );
  });

  void it('given the cache at v2, when a read asks for minVersion 4, then it waits until v4 arrives and answers with it', async () => {
    const { reader, cache } = setup(new Map([['alice', account('alice', 2, 20n)]]));
    const read = reader.read('alice', { minVersion: 4, waitMs: 2_000 });
    await flushPromises();
    cache.applyChange(change('alice', 3, 30n));
    await flushPromises();
    cache.applyChange(change('alice', 4, 40n));
    const { account: served } = await read;
    assert.equal(served.version, 4);
    assert.equal(served.balance, 40n);
  });

  void it('given an account not in the read model yet, when read with minVersion 1, then it is served once it opens', async () => {
    const readModel = new Map<string, CachedAccount>();
    const { reader, cache } = setup(readModel);
    const read = reader.read('new', { minVersion: 1, waitMs: 2_000 });
    await flushPromises();
    readModel.set('new', account('new', 1, 0n)); // the projector commits, then publishes
    cache.applyChange(change('new', 1, 0n));
    assert.equal((await read).account.version, 1);
  });

  void it('given a version that never arrives, when the budget runs out, then consistency_timeout (504)', async () => {
    const { reader, fireTimeouts } = setup(new Map([['alice', account('alice', 2, 20n)]]));
    const read = reader.read('alice', { minVersion: 9, waitMs: 50 });
    await flushPromises();
    fireTimeouts();
    await assert.rejects(read, (error) => codeOf(error) === 'consistency_timeout');
  });

  void it('given an account that never opens, when read with minVersion, then it times out (504, the client knows it is coming)', async () => {
    const { reader, fireTimeouts } = setup(new Map());
    const read = reader.read('later', { minVersion: 1, waitMs: 50 });
    await flushPromises();
    fireTimeouts();
    await assert.rejects(read, (error) => codeOf(error) === 'consistency_timeout');
  });
});
