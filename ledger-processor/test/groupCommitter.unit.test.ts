import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { createGroupCommitter, type GroupCommitterDeps } from '../src/groupCommitter.ts';
import type { DecodedSlice, PartitionSlice, SliceResult } from '../src/groupTransaction.ts';

/** A slice of `size` messages of `partition` starting at `offset` (only offsets matter here). */
function slice(partition: number, size: number, offset = 0): PartitionSlice {
  const messages = Array.from(
    { length: size },
    (_, index) => ({ offset: String(offset + index) }) as KafkaMessage,
  );
  return { partition, messages };
}

function decoded(input: PartitionSlice): DecodedSlice {
  const first = input.messages[0]?.offset ?? '0';
  const last = input.messages.at(-1)?.offset ?? '0';
  return {
    partition: input.partition,
    firstOffset: BigInt(first),
    lastOffset: BigInt(last),
    messages: [],
  };
}

/** Records every group it is asked to commit; each commit waits until released by the test. */
function recordingCommit() {
  const groups: number[][] = [];
  const releases: (() => void)[] = [];
  const commit: GroupCommitterDeps['commit'] = async (slices) => {
    groups.push(slices.map((entry) => entry.partition));
    await new Promise<void>((resolve) => releases.push(resolve));
    return slices.map((entry): SliceResult => ({
      kind: 'committed',
      nextOffset: entry.lastOffset + 1n,
    }));
  };
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()?.();
  };
  return { groups, commit, releaseNext };
}

function committer(commit: GroupCommitterDeps['commit'], overrides: Partial<GroupCommitterDeps>) {
  return createGroupCommitter({
    decode: (input) => Promise.resolve(decoded(input)),
    commit,
    commandsMax: 1_000,
    waitingMax: 8,
    ...overrides,
  });
}

describe('group committer', () => {
  it('given slices of several partitions submitted together, when committed, then they share one transaction and each gets its own result', async () => {
    const { groups, commit, releaseNext } = recordingCommit();
    const subject = committer(commit, {});
    const results = Promise.all([
      subject.submit(slice(2, 10, 100)),
      subject.submit(slice(0, 5, 7)),
      subject.submit(slice(1, 1, 3)),
    ]);
    await releaseNext();
    assert.deepEqual(groups, [[2, 0, 1]]);
    assert.deepEqual(
      (await results).map((result) => result.nextOffset),
      [110n, 12n, 4n],
    );
  });

  it('given a transaction running, when more slices arrive, then they wait and go together in the next one', async () => {
    const { groups, commit, releaseNext } = recordingCommit();
    const subject = committer(commit, {});
    const first = subject.submit(slice(0, 10));
    while (groups.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const later = Promise.all([subject.submit(slice(1, 10)), subject.submit(slice(2, 10))]);
    await releaseNext();
    await first;
    await releaseNext();
    await later;
    assert.deepEqual(groups, [[0], [1, 2]]);
  });

  it('given more commands waiting than one transaction may carry, when committed, then the group is cut at the bound and an oversized slice goes alone', async () => {
    const { groups, commit, releaseNext } = recordingCommit();
    const subject = committer(commit, { commandsMax: 100 });
    const all = Promise.all([
      subject.submit(slice(0, 60)),
      subject.submit(slice(1, 40)),
      subject.submit(slice(2, 150)),
      subject.submit(slice(3, 30)),
    ]);
    for (let released = 0; released < 3; released += 1) await releaseNext();
    await all;
    assert.deepEqual(groups, [[0, 1], [2], [3]]);
  });

  it('given one slice that cannot be decoded, when its group commits, then only that slice fails and the others are committed', async () => {
    const { groups, commit, releaseNext } = recordingCommit();
    const subject = committer(commit, {
      decode: (input) =>
        input.partition === 1
          ? Promise.reject(new Error('registry unreachable'))
          : Promise.resolve(decoded(input)),
    });
    const good = subject.submit(slice(0, 1));
    const bad = assert.rejects(subject.submit(slice(1, 1)), /registry unreachable/);
    await releaseNext();
    await bad;
    assert.equal((await good).kind, 'committed');
    assert.deepEqual(groups, [[0]]);
  });

  it('given a transaction that fails, when its slices wait on it, then all of them fail and the next group still runs', async () => {
    let calls = 0;
    const subject = committer((slices) => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('connection lost'));
      return Promise.resolve(
        slices.map((entry): SliceResult => ({
          kind: 'committed',
          nextOffset: entry.lastOffset + 1n,
        })),
      );
    }, {});
    const failed = Promise.allSettled([subject.submit(slice(0, 1)), subject.submit(slice(1, 1))]);
    assert.deepEqual(
      (await failed).map((result) => result.status),
      ['rejected', 'rejected'],
    );
    assert.equal((await subject.submit(slice(0, 1, 5))).nextOffset, 6n);
  });

  it('given a partition whose slice is still waiting, when it submits another, then that is an impossible state', async () => {
    const { commit, releaseNext } = recordingCommit();
    const subject = committer(commit, {});
    const first = subject.submit(slice(0, 1));
    assert.throws(() => void subject.submit(slice(0, 1, 1)), /before its previous one resolved/);
    await releaseNext();
    await first;
  });
});
