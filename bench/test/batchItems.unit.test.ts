import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedBatchItems, unacceptedBatchItems } from '../src/scenarios/benchContext.ts';

// The shape the command API gave the seeder's retry after a failed publish: HTTP 202, items
// `invalid` with a 503 problem. Only `accepted` items may count, the 503 ones must be resent.
const answer = JSON.stringify({
  items: [
    { index: 0, status: 'accepted', commandId: 'c-0', transferId: 't-0' },
    {
      index: 1,
      status: 'invalid',
      replayed: true,
      problem: { status: 503, code: 'overloaded', commandId: 'c-1' },
    },
    { index: 2, status: 'invalid', problem: { status: 429, code: 'rate_limited' } },
    { index: 3, status: 'invalid', problem: { status: 400, code: 'invalid_amount' } },
  ],
});

void describe('batch answer items', () => {
  void it('given a 202 batch with items that were not accepted, when sorted, then only accepted items count and 429/503 items are retriable', () => {
    assert.deepEqual(acceptedBatchItems(answer), ['c-0']);
    const unaccepted = unacceptedBatchItems(answer);
    assert.deepEqual(unaccepted.retriable, [1, 2]);
    assert.deepEqual(unaccepted.refused, [
      { index: 3, status: 'invalid', problem: { status: 400, code: 'invalid_amount' } },
    ]);
  });
});
