import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountSet,
  idLengthMax,
  indexPicker,
  seededRandom,
  transferSource,
} from '../src/load/workload.ts';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

describe('workload', () => {
  it('given the same seed, then the same sequence (a run replays from its printed seed)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let index = 0; index < 100; index += 1) assert.equal(a(), b());
  });

  it('given Zipf over 1000 accounts, then rank 0 is drawn far more often than under uniform', () => {
    const draws = 50_000;
    const count = (distribution: 'uniform' | 'zipf') => {
      const pick = indexPicker(1_000, distribution, seededRandom(7));
      let hot = 0;
      for (let index = 0; index < draws; index += 1) {
        const drawn = pick();
        assert.ok(drawn >= 0 && drawn < 1_000);
        if (drawn === 0) hot += 1;
      }
      return hot / draws;
    };
    // Zipf(1.1) over 1000 ranks gives rank 0 about 15% of draws; uniform about 0.1%.
    assert.ok(count('zipf') > 0.1, 'hot account share under Zipf');
    assert.ok(count('uniform') < 0.01, 'rank 0 share under uniform');
  });

  it('given a batch, then valid JSON of distinct transfers between distinct accounts of the set', () => {
    const set = accountSet(10);
    const source = transferSource({ set, distribution: 'zipf', seed: 1, tag: 'rtest' });
    const body = JSON.parse(source.batch(100)) as { transfers: Record<string, string>[] };
    assert.equal(body.transfers.length, 100);
    const ids = new Set(body.transfers.map((transfer) => transfer.transferId));
    assert.equal(ids.size, 100);
    for (const transfer of body.transfers) {
      assert.notEqual(transfer.fromAccountId, transfer.toAccountId);
      assert.match(transfer.fromAccountId ?? '', /^bench-a10-\d$/);
      assert.match(transfer.transferId ?? '', idPattern);
      assert.match(transfer.amount ?? '', /^[1-9][0-9]*$/);
      assert.equal(transfer.currency, 'USD');
    }
    assert.equal(source.issued(), 100);
  });

  it('given a tag too long for an id of the contract, then it refuses at once', () => {
    assert.throws(() =>
      transferSource({
        set: accountSet(10),
        distribution: 'uniform',
        seed: 1,
        tag: 'x'.repeat(idLengthMax),
      }),
    );
  });
});
