import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandOutcome, OutcomeWait, OutcomeWaiter } from '../src/appDeps.ts';
import { withOutcomeRechecks } from '../src/outcomeRechecks.ts';

const applied = (commandId: string): CommandOutcome => ({
  commandId,
  status: 'applied',
  versions: { a: 1 },
});

/** A push channel that is up but never delivers (its notice was lost): waits time out. */
const silentPush: OutcomeWaiter = {
  waitFor: (_ids, timeoutMs) =>
    new Promise<OutcomeWait>((resolve) =>
      setTimeout(() => resolve({ outcomes: new Map(), waited: true }), timeoutMs),
    ),
};

void describe('Prefer: wait rechecks the command store when a pushed outcome does not come', () => {
  void it('given a decision whose push was lost, when the store has it, then the wait ends at the first recheck, not at its timeout', async () => {
    const reads: string[][] = [];
    const waiter = withOutcomeRechecks({
      waiter: silentPush,
      states: (ids) => {
        reads.push([...ids]);
        return Promise.resolve(new Map(ids.map((id) => [id, applied(id)])));
      },
      firstRecheckMs: 10,
    });
    const startedAt = Date.now();

    const wait = await waiter.waitFor(['c1'], 5_000);

    assert.equal(wait.waited, true);
    assert.deepEqual([...wait.outcomes.keys()], ['c1']);
    assert.deepEqual(reads, [['c1']]);
    assert.ok(Date.now() - startedAt < 5_000);
  });

  void it('given an undecided command, when the wait times out, then the store was read a few times, each twice as late', async () => {
    const readAt: number[] = [];
    const startedAt = Date.now();
    const waiter = withOutcomeRechecks({
      waiter: silentPush,
      states: (ids) => {
        readAt.push(Date.now() - startedAt);
        return Promise.resolve(
          new Map(ids.map((id) => [id, { status: 'accepted', commandId: id }] as const)),
        );
      },
      firstRecheckMs: 10,
    });

    const wait = await waiter.waitFor(['c1'], 200);

    assert.equal(wait.outcomes.size, 0);
    assert.ok(readAt.length >= 2 && readAt.length <= 5, `${readAt.length} reads`);
  });

  void it('given no push channel, then the wait answers at once without waiting, as before', async () => {
    const waiter = withOutcomeRechecks({
      waiter: { waitFor: () => Promise.resolve({ outcomes: new Map(), waited: false }) },
      states: () => Promise.reject(new Error('not read')),
    });

    const wait = await waiter.waitFor(['c1'], 5_000);

    assert.equal(wait.waited, false);
  });

  void it('given the push delivers first, then its outcome is answered and the store is not read', async () => {
    let reads = 0;
    const waiter = withOutcomeRechecks({
      waiter: {
        waitFor: (ids) =>
          Promise.resolve({ outcomes: new Map(ids.map((id) => [id, applied(id)])), waited: true }),
      },
      states: () => {
        reads += 1;
        return Promise.resolve(new Map());
      },
      firstRecheckMs: 10,
    });

    const wait = await waiter.waitFor(['c1'], 1_000);

    assert.equal(wait.outcomes.size, 1);
    assert.equal(reads, 0);
  });
});
