import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitionDrains } from '../src/partitionDrains.ts';

/** A relay whose drains resolve or fail when the test says, recording which partitions drained. */
function fakeRelay() {
  const started: number[] = [];
  const settle = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const relay = {
    drainUnsent(partition: number): Promise<void> {
      started.push(partition);
      return new Promise<void>((resolve, reject) => settle.set(partition, { resolve, reject }));
    },
  };
  return { relay, started, settle };
}

describe('partition drains', () => {
  it('given an assignment, when the group joins, then every assigned partition drains at once, before any batch', () => {
    const { relay, started } = fakeRelay();
    const drains = createPartitionDrains({ relay, onFailure: () => assert.fail('no failure') });

    drains.assigned([0, 2, 5]);

    assert.deepEqual(started, [0, 2, 5]);
  });

  it("given a partition's drain in progress, when a batch arrives, then it waits for that drain and starts no other", async () => {
    const { relay, started, settle } = fakeRelay();
    const drains = createPartitionDrains({ relay, onFailure: () => assert.fail('no failure') });
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
    const drains = createPartitionDrains({ relay, onFailure: () => assert.fail('no failure') });
    drains.assigned([0]);

    void drains.of(3);

    assert.deepEqual(started, [0, 3]);
  });

  it('given a new generation, when the group joins again, then the partitions drain again', () => {
    const { relay, started } = fakeRelay();
    const drains = createPartitionDrains({ relay, onFailure: () => assert.fail('no failure') });
    drains.assigned([0, 1]);

    drains.assigned([1]);
    void drains.of(0);

    assert.deepEqual(started, [0, 1, 1, 0]);
  });

  it('given a drain that fails on a partition no batch arrives for, when it fails, then the failure is reported', async () => {
    const { relay, settle } = fakeRelay();
    const failures: unknown[] = [];
    const drains = createPartitionDrains({ relay, onFailure: (error) => failures.push(error) });
    drains.assigned([4]);

    settle.get(4)?.reject(new Error('broker down'));
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /broker down/);
  });
});
