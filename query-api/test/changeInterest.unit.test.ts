import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inMemoryReadModels, startTestApp, type TestApp } from './appHarness.ts';
import { account } from './fixtures.ts';

/** Which balance changes the feed decodes: only those for accounts this instance serves. */
void describe('query app interest in balance changes', () => {
  const store = inMemoryReadModels();
  let test: TestApp;

  before(async () => {
    store.accounts.set('alice', account('alice', 3, 300n));
    store.accounts.set('bob', account('bob', 1, 0n));
    test = await startTestApp(store.readModels);
  });

  after(async () => {
    await test?.close();
  });

  void it('given an account nobody has read, then a change for it is not wanted', () => {
    assert.equal(test.app.wantsChange('alice'), false);
  });

  void it('given an account being loaded, then its changes are wanted from the start of the load', async () => {
    const release = store.holdLoads();
    const loading = test.app.cache.load('bob');
    await Promise.resolve(); // the flight registers first
    assert.equal(test.app.wantsChange('bob'), true);
    release();
    await loading;
    assert.equal(test.app.wantsChange('bob'), true, 'cached now');
  });

  void it('given a request waiting for a version of an uncached account, then its changes are wanted until it is answered', async () => {
    const waiting = test.app.waiters.waitFor('carol', 2, 5_000, undefined);
    assert.equal(test.app.wantsChange('carol'), true);
    test.app.waiters.notify('carol', 2);
    await waiting;
    assert.equal(test.app.wantsChange('carol'), false);
  });

  void it('given a change nobody wanted, when skipped, then it is counted as skipped', async () => {
    test.app.skipChange();
    const changes = await test.app.metrics.changes.get();
    const skipped = changes.values.find((value) => value.labels.outcome === 'skipped');
    assert.equal(skipped?.value, 1);
  });
});
