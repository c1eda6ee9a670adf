import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import { createVersionWaiters, type Timers } from '../src/versionWaiters.ts';
import { flushPromises } from './fixtures.ts';

/** Timers the test fires by hand: no sleeps, no flakiness. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback) => {
      next += 1;
      pending.set(next, callback);
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    pending,
    fireAll: () => {
      for (const [handle, callback] of [...pending]) {
        pending.delete(handle);
        callback();
      }
    },
  };
}

/** Tracks a promise's state without awaiting it. */
function watch(promise: Promise<void>) {
  const state: { settled: 'pending' | 'resolved' | 'rejected'; error?: unknown } = {
    settled: 'pending',
  };
  promise.then(
    () => (state.settled = 'resolved'),
    (error: unknown) => {
      state.settled = 'rejected';
      state.error = error;
    },
  );
  return state;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof LedgerError ? error.code : undefined;
}

void describe('versionWaiters', () => {
  void it('given a waiter for v5, when v4 then v5 are notified, then it wakes on v5 and its timer is cleared', async () => {
    const clock = manualTimers();
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 5,
      timers: clock.timers,
    });
    const waiting = watch(waiters.waitFor('alice', 5, 1_000, 3));
    waiters.notify('alice', 4);
    await flushPromises();
    assert.equal(waiting.settled, 'pending');

    waiters.notify('alice', 5);
    await flushPromises();
    assert.equal(waiting.settled, 'resolved');
    assert.equal(waiters.size, 0);
    assert.equal(clock.pending.size, 0);
  });

  void it('given the account is at the version already, when waiting, then it resolves at once without a timer', async () => {
    const clock = manualTimers();
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 5,
      timers: clock.timers,
    });
    await waiters.waitFor('alice', 5, 1_000, 7);
    assert.equal(clock.pending.size, 0);
  });

  void it('given waiters on two accounts, when one account is notified, then only its waiter wakes', async () => {
    const clock = manualTimers();
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 5,
      timers: clock.timers,
    });
    const alice = watch(waiters.waitFor('alice', 2, 1_000, undefined));
    const bob = watch(waiters.waitFor('bob', 2, 1_000, undefined));
    waiters.notify('bob', 9);
    await flushPromises();
    assert.deepEqual([alice.settled, bob.settled], ['pending', 'resolved']);
  });

  void it('given a waiter, when its budget runs out, then it is rejected with consistency_timeout and removed', async () => {
    const clock = manualTimers();
    let timeouts = 0;
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 5,
      timers: clock.timers,
      hooks: { timedOut: () => (timeouts += 1) },
    });
    const waiting = watch(waiters.waitFor('alice', 5, 2_000, 1));
    clock.fireAll();
    await flushPromises();
    assert.equal(waiting.settled, 'rejected');
    assert.equal(codeOf(waiting.error), 'consistency_timeout');
    assert.equal((waiting.error as LedgerError).status, 504);
    assert.equal(waiters.size, 0);
    assert.equal(timeouts, 1);
  });

  void it('given no budget left, when waiting, then it times out at once', async () => {
    const waiters = createVersionWaiters({ waitersMax: 10, waitersPerAccountMax: 5 });
    await assert.rejects(
      waiters.waitFor('alice', 5, 0, 1),
      (error) => codeOf(error) === 'consistency_timeout',
    );
  });

  void it('given the per-account bound is reached, when one more waits on that account, then it is refused with overloaded while others still park', async () => {
    const clock = manualTimers();
    let refused = 0;
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 2,
      timers: clock.timers,
      hooks: { refused: () => (refused += 1) },
    });
    void waiters.waitFor('alice', 5, 1_000, 1).catch(() => undefined);
    void waiters.waitFor('alice', 6, 1_000, 1).catch(() => undefined);
    await assert.rejects(waiters.waitFor('alice', 7, 1_000, 1), (error: unknown) => {
      assert.equal(codeOf(error), 'overloaded');
      assert.equal((error as LedgerError).status, 503);
      assert.equal((error as LedgerError).options.retryAfterSeconds, 1);
      return true;
    });
    void waiters.waitFor('bob', 7, 1_000, 1).catch(() => undefined);
    assert.equal(waiters.size, 3);
    assert.equal(refused, 1);
  });

  void it('given the total bound is reached, when another account waits, then it is refused with overloaded', async () => {
    const clock = manualTimers();
    const waiters = createVersionWaiters({
      waitersMax: 2,
      waitersPerAccountMax: 2,
      timers: clock.timers,
    });
    void waiters.waitFor('a', 5, 1_000, 1).catch(() => undefined);
    void waiters.waitFor('b', 5, 1_000, 1).catch(() => undefined);
    await assert.rejects(
      waiters.waitFor('c', 5, 1_000, 1),
      (error) => codeOf(error) === 'overloaded',
    );
  });

  void it('given parked waiters, when closed for shutdown, then all are rejected with the given error and new ones too', async () => {
    const clock = manualTimers();
    const waiters = createVersionWaiters({
      waitersMax: 10,
      waitersPerAccountMax: 5,
      timers: clock.timers,
    });
    const first = watch(waiters.waitFor('a', 5, 1_000, 1));
    const second = watch(waiters.waitFor('a', 6, 1_000, 1));
    waiters.closeAll(new LedgerError('unavailable', 'shutting down'));
    await flushPromises();
    assert.deepEqual([codeOf(first.error), codeOf(second.error)], ['unavailable', 'unavailable']);
    assert.equal(clock.pending.size, 0);
    await assert.rejects(
      waiters.waitFor('a', 5, 1_000, 1),
      (error) => codeOf(error) === 'unavailable',
    );
  });

  void it('given inconsistent bounds, when created, then start-up fails', () => {
    assert.throws(() => createVersionWaiters({ waitersMax: 1, waitersPerAccountMax: 2 }));
  });
});
