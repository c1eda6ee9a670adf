import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUuidV7Generator, uuidV7Pattern, uuidV7TimestampMs } from '../src/uuidv7.ts';
// The contract's id pattern (docs/contract.md): generated ids must be valid wherever a
// client-supplied id is.
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
import { createRandomPool } from '../src/randomPool.ts';

/** A deterministic byte source: xorshift32 from a seed, so failures replay exactly. */
function seededBytes(seed: number): (size: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (size) => {
    const bytes = new Uint8Array(size);
    for (let index = 0; index < size; index += 1) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[index] = state & 0xff;
    }
    return bytes;
  };
}

const fixedBytes = (value: number) => (size: number) => new Uint8Array(size).fill(value);

void describe('uuidv7', () => {
  void it('given a clock, when an id is generated, then it carries version 7, the variant and the time', () => {
    const nowMs = 1_731_000_000_123;
    const next = createUuidV7Generator({ now: () => nowMs, randomBytes: seededBytes(7) });
    const id = next();
    assert.match(id, uuidV7Pattern);
    assert.match(id, idPattern, 'generated ids are valid API ids');
    assert.equal(uuidV7TimestampMs(id), nowMs);
  });

  void it('given all-ones random bytes, when generated, then version and variant bits still hold', () => {
    const next = createUuidV7Generator({ now: () => 0, randomBytes: fixedBytes(0xff) });
    const id = next();
    assert.equal(id, '00000000-0000-77ff-bfff-ffffffffffff');
  });

  void it('given many ids within one millisecond, when generated, then they strictly increase', () => {
    const next = createUuidV7Generator({ now: () => 1_000, randomBytes: seededBytes(42) });
    const ids = Array.from({ length: 5_000 }, () => next());
    for (let index = 1; index < ids.length; index += 1) {
      assert.ok(
        (ids[index - 1] ?? '') < (ids[index] ?? ''),
        `id ${index} is not after ${index - 1}`,
      );
    }
    assert.equal(new Set(ids).size, ids.length);
  });

  void it('given the counter overflows, when generated, then the timestamp advances by one millisecond', () => {
    // Seed bytes 0xff give counter 0x7ff: 0x800 more ids fit (0x7ff..0xfff) before overflow.
    const next = createUuidV7Generator({ now: () => 5_000, randomBytes: fixedBytes(0xff) });
    const ids = Array.from({ length: 0x801 + 1 }, () => next());
    assert.equal(uuidV7TimestampMs(ids[0x800] ?? ''), 5_000);
    assert.equal(uuidV7TimestampMs(ids[0x801] ?? ''), 5_001);
    assert.ok((ids[0x800] ?? '') < (ids[0x801] ?? ''));
  });

  void it('given the clock steps back, when generated, then ids keep increasing', () => {
    const times = [10_000, 9_000, 9_500, 10_001];
    const next = createUuidV7Generator({
      now: () => times.shift() ?? 10_002,
      randomBytes: seededBytes(3),
    });
    const ids = [next(), next(), next(), next()];
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(uuidV7TimestampMs(ids[1] ?? ''), 10_000);
    assert.equal(uuidV7TimestampMs(ids[3] ?? ''), 10_001);
  });

  void it('given a clock beyond 48 bits, when generated, then it refuses', () => {
    const next = createUuidV7Generator({ now: () => 2 ** 48, randomBytes: seededBytes(1) });
    assert.throws(() => next(), /does not fit/);
  });
});

void describe('random pool', () => {
  void it('given many draws, when the pool is used up, then it refills and slices never overlap', () => {
    const draw = createRandomPool(16);
    const slices = Array.from({ length: 10 }, () => draw(5));
    assert.ok(slices.every((slice) => slice.length === 5));
    assert.equal(new Set(slices.map((slice) => Buffer.from(slice).toString('hex'))).size, 10);
    assert.equal(draw(64).length, 64, 'a draw larger than the pool bypasses it');
  });
});
