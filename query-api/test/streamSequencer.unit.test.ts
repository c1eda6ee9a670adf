import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createStreamSequencer,
  type GapReason,
  type StreamSequencerLimits,
} from '../src/streamSequencer.ts';

interface Item {
  readonly version: number;
}

const limits: StreamSequencerLimits = {
  bufferedPerAccountMax: 5,
  bufferedPerConnectionMax: 8,
  gapTimeoutMs: 2_000,
};

/** A sequencer with a made-up clock, recording the gaps it reports. */
function harness(options: StreamSequencerLimits = limits) {
  const gaps: GapReason[] = [];
  const order = createStreamSequencer<Item>(options, (reason) => gaps.push(reason));
  let clock = 1_000;
  const versions = (items: readonly Item[]) => items.map((item) => item.version);
  return {
    order,
    gaps,
    advance: (ms: number) => (clock += ms),
    /** Starts `accountId` from a current version and returns what was pushed. */
    start: (accountId: string, version: number) =>
      versions(order.begin(accountId, { kind: 'current', item: { version } }, clock)),
    offer: (accountId: string, ...offered: number[]) =>
      offered.flatMap((version) => versions(order.offer(accountId, { version }, clock))),
    expire: () => versions(order.expire(clock)),
  };
}

void describe('stream version order (pure)', () => {
  void it('given a started account, when versions arrive in order, then each is pushed at once', () => {
    const { order, start, offer } = harness();
    order.track('alice');
    assert.deepEqual(start('alice', 3), [3]);
    assert.deepEqual(offer('alice', 4, 5, 6), [4, 5, 6]);
    assert.equal(order.buffered, 0);
  });

  void it('given a started account, when versions arrive out of order, then each waits for its predecessor and all go out in order', () => {
    const { order, start, offer, gaps } = harness();
    order.track('alice');
    start('alice', 3);
    assert.deepEqual(offer('alice', 6), [], '6 waits for 4 and 5');
    assert.deepEqual(offer('alice', 5), []);
    assert.equal(order.buffered, 2);
    assert.deepEqual(offer('alice', 4), [4, 5, 6], 'the hole filled: the run follows');
    assert.deepEqual(offer('alice', 8, 7), [7, 8]);
    assert.equal(order.buffered, 0);
    assert.deepEqual(gaps, []);
  });

  void it('given versions already pushed or held, when they come again or older ones come late, then they are dropped', () => {
    const { order, start, offer } = harness();
    order.track('alice');
    start('alice', 3);
    assert.deepEqual(offer('alice', 2, 3, 1), [], 'the start covers them');
    assert.deepEqual(offer('alice', 4, 4, 6, 6), [4]);
    assert.equal(order.buffered, 1, 'a duplicate of a held version is held once');
    assert.deepEqual(offer('alice', 5, 5, 6), [5, 6]);
  });

  void it('given a hole that never fills, when the gap timeout passes, then the held versions go out in order and one gap is counted', () => {
    const { order, start, offer, advance, expire, gaps } = harness();
    order.track('alice');
    start('alice', 3);
    assert.deepEqual(offer('alice', 7, 6), []);
    advance(1_999);
    assert.deepEqual(expire(), [], 'not yet');
    advance(1);
    assert.deepEqual(expire(), [6, 7], '4 and 5 given up on');
    assert.deepEqual(gaps, ['timeout']);
    assert.deepEqual(offer('alice', 5, 4), [], 'too late: the client is past them');
    assert.deepEqual(offer('alice', 8), [8]);
  });

  void it('given two holes, when the first times out, then the run after it goes out and the second waits a full timeout of its own', () => {
    const { order, start, offer, advance, expire, gaps } = harness();
    order.track('alice');
    start('alice', 1);
    offer('alice', 3, 5);
    advance(2_000);
    assert.deepEqual(expire(), [3], 'skipped 2; 4 may still come');
    advance(1_000);
    assert.deepEqual(offer('alice', 4), [4, 5], 'it came in time');
    offer('alice', 7);
    advance(1_999);
    assert.deepEqual(expire(), []);
    advance(1);
    assert.deepEqual(expire(), [7]);
    assert.deepEqual(gaps, ['timeout', 'timeout']);
  });

  void it('given progress behind a hole, when it is partly filled, then the timeout restarts from the progress', () => {
    const { order, start, offer, advance, expire } = harness();
    order.track('alice');
    start('alice', 1);
    offer('alice', 3, 5);
    advance(1_500);
    assert.deepEqual(offer('alice', 2), [2, 3]);
    advance(1_500);
    assert.deepEqual(expire(), [], '5 has waited 1.5 s behind the new hole at 4');
    advance(500);
    assert.deepEqual(expire(), [5]);
  });

  void it('given an account buffer at its bound, when one more version is held back, then the holes are given up and everything held goes out in order', () => {
    const { order, start, offer, gaps } = harness();
    order.track('alice');
    start('alice', 1);
    assert.deepEqual(offer('alice', 4, 5, 6, 8, 9), []);
    assert.deepEqual(offer('alice', 10), [4, 5, 6, 8, 9, 10]);
    assert.deepEqual(gaps, ['overflow', 'overflow'], 'two holes: 2-3 and 7');
    assert.equal(order.buffered, 0);
    assert.deepEqual(offer('alice', 11), [11]);
  });

  void it('given a connection buffer at its bound, when another account holds a version back, then that account gives up its hole', () => {
    const { order, start, offer, gaps } = harness();
    for (const account of ['alice', 'bob']) {
      order.track(account);
      start(account, 1);
    }
    offer('alice', 3, 4, 5, 6, 7);
    offer('bob', 3, 4, 5);
    assert.equal(order.buffered, 8);
    assert.deepEqual(offer('bob', 7), [3, 4, 5, 7]);
    assert.deepEqual(gaps, ['overflow', 'overflow']);
    assert.equal(order.buffered, 5, 'alice still waits for 2');
    assert.deepEqual(offer('alice', 2), [2, 3, 4, 5, 6, 7]);
  });

  void it('given changes while the start is being read, when it begins, then those it covers are dropped and the rest follow in order', () => {
    const { order, offer } = harness();
    order.track('alice');
    assert.deepEqual(offer('alice', 5, 3, 4, 6), [], 'held until the start is known');
    const pushed = order.begin('alice', { kind: 'current', item: { version: 4 } }, 0);
    assert.deepEqual(
      pushed.map((item) => item.version),
      [4, 5, 6],
    );
    assert.equal(order.buffered, 0);
  });

  void it('given an account that does not exist yet, when it begins absent, then it starts at version 1', () => {
    const { order, offer } = harness();
    order.track('new');
    offer('new', 2);
    assert.deepEqual(
      order.begin('new', { kind: 'absent' }, 0).map((item) => item.version),
      [],
    );
    assert.deepEqual(offer('new', 1), [1, 2]);
  });

  void it('given a failed start read, when it begins unknown, then it starts from the first version it gets', () => {
    const { order, offer } = harness();
    order.track('alice');
    assert.deepEqual(order.begin('alice', { kind: 'unknown' }, 0), []);
    assert.deepEqual(offer('alice', 9, 10, 8), [9, 10]);
  });

  void it('given an unsubscribed account, when its changes come, then nothing is pushed or held and its buffer is freed', () => {
    const { order, start, offer } = harness();
    order.track('alice');
    start('alice', 1);
    offer('alice', 3);
    order.untrack('alice');
    assert.equal(order.buffered, 0);
    assert.deepEqual(offer('alice', 2), []);
    assert.equal(order.isTracked('alice'), false);
  });

  void it('given tracked accounts, then they are listed in tracking order until untracked', () => {
    const { order } = harness();
    for (const accountId of ['alice', 'bob', 'carol']) order.track(accountId);
    order.track('alice');
    order.untrack('bob');
    assert.deepEqual([...order.tracked()], ['alice', 'carol']);
    assert.equal(order.trackedCount, 2);
  });
});
