import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitionDrains } from '../src/partitionDrains.ts';

/** A relay whose drains resolve or fail when the test says, recording which partitions drained. */
function fakeRelay() {
  const started: number[] = [];
  const settle = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let queued = 0;
  const relay = {
    drainUnsent(partition: number): Promise<void> {
      started.push(partition);
      return new Promise<void>((resolve, reject) => settle.set(partition, { resolve, reject }));
    },
    queued: () => queued,
    setQueued(count: number) {
      queued = count;
    },
  };
  return { relay, started, settle };
}

/** Drains over `relay` whose sweep reads `ages` (partition → seconds) as the outbox's state. */
function drainsOver(
  relay: ReturnType<typeof fakeRelay>['relay'],
  options: {
    onFailure?: (error: unknown) => void;
    ages?: Map<number, number>;
    gauge?: { set(value: number): void };
  } = {},
) {
  const ages = options.ages ?? new Map<number, number>();
  return createPartitionDrains({
    relay,
    pool: {
      query: ((_sql: string, [partitions]: [number[]]) =>
        Promise.resolve({
          rows: partitions
            .filter((partition) => ages.has(partition))
            .map((partition) => ({ partition, age_seconds: ages.get(partition) })),
        })) as never,
    },
    oldestUnpublishedAge: options.gauge ?? { set: () => undefined },
    onFailure: options.onFailure ?? (() => assert.fail('no failure')),
    onSweepError: (error) => assert.fail(String(error)),
    sweepIntervalMs: 5,
  });
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
};

/** Lets the sweep run until the gauge was set `times` times, then stops it. */
async function sweepTimes(
  drains: ReturnType<typeof drainsOver>,
  reported: readonly number[],
  times: number,
): Promise<void> {
  drains.startSweeps();
  await until(() => reported.length >= times);
  await drains.stopSweeps();
}

describe('partition drains', () => {
  it('given an assignment, when the group joins, then every assigned partition drains at once, before any batch', () => {
    const { relay, started } = fakeRelay();
    const drains = drainsOver(relay);

    drains.assigned([0, 2, 5]);

    assert.deepEqual(started, [0, 2, 5]);
  });

  it("given a partition's drain in progress, when a batch arrives, then it waits for that drain and starts no other", async () => {
    const { relay, started, settle } = fakeRelay();
    const drains = drainsOver(relay);
    drains.assigned([1]);
    let done = false;

    const waiting = drains.of(1).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false);
    settle.get(1)?.resolve();
    await waiting;

    assert.equal(done, true);
    assert.deepEqual(started, [1]);
  });

  it('given a batch for a partition the assignment did not name, when it arrives, then its drain starts there', () => {
    const { relay, started } = fakeRelay();
    const drains = drainsOver(relay);
    drains.assigned([0]);

    void drains.of(3);

    assert.deepEqual(started, [0, 3]);
  });

  it('given a new generation, when the group joins again, then the partitions drain again', () => {
    const { relay, started } = fakeRelay();
    const drains = drainsOver(relay);
    drains.assigned([0, 1]);

    drains.assigned([1]);
    void drains.of(0);

    assert.deepEqual(started, [0, 1, 1, 0]);
  });

  it('given a drain that fails on a partition no batch arrives for, when it fails, then the failure is reported', async () => {
    const { relay, settle } = fakeRelay();
    const failures: unknown[] = [];
    const drains = drainsOver(relay, { onFailure: (error) => failures.push(error) });
    drains.assigned([4]);

    settle.get(4)?.reject(new Error('broker down'));
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /broker down/);
  });

  it('given a row left past the position with nothing queued, when the sweep runs, then its partition drains again and the age is reported', async () => {
    const { relay, started, settle } = fakeRelay();
    const reported: number[] = [];
    const drains = drainsOver(relay, {
      ages: new Map([[2, 3.5]]),
      gauge: { set: (value) => reported.push(value) },
    });
    drains.assigned([1, 2]);
    settle.get(1)?.resolve();
    settle.get(2)?.resolve();

    drains.startSweeps();
    await until(() => started.length > 2);
    await drains.stopSweeps();

    assert.deepEqual(started.slice(0, 3), [1, 2, 2]);
    assert.ok(reported.includes(3.5));
  });

  it('given publishes queued in the relay, when the sweep finds rows past the position, then it leaves them to the queue', async () => {
    const { relay, started } = fakeRelay();
    relay.setQueued(1);
    const reported: number[] = [];
    const drains = drainsOver(relay, {
      ages: new Map([[0, 9]]),
      gauge: { set: (value) => reported.push(value) },
    });
    drains.assigned([0]);

    await sweepTimes(drains, reported, 3);

    assert.deepEqual(started, [0]);
  });

  it('given rows younger than the orphan age, when the sweep runs, then nothing drains', async () => {
    const { relay, started } = fakeRelay();
    const reported: number[] = [];
    const drains = drainsOver(relay, {
      ages: new Map([[0, 0.2]]),
      gauge: { set: (value) => reported.push(value) },
    });
    drains.assigned([0]);

    await sweepTimes(drains, reported, 3);

    assert.deepEqual(started, [0]);
  });
});
