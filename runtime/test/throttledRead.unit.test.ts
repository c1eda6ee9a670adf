import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttledRead } from '../src/metrics.ts';

describe('throttledRead (scrape-time readings)', () => {
  it('given a reading a moment ago, when read again within the interval, then the last value is returned without reading', async () => {
    const clock = { ms: 0 };
    let reads = 0;
    const read = throttledRead(
      () => Promise.resolve((reads += 1)),
      5_000,
      () => clock.ms,
    );
    await read();

    clock.ms = 4_999;
    const within = await read();
    clock.ms = 5_000;
    const after = await read();

    assert.deepEqual([within, after, reads], [1, 2, 2]);
  });

  it('given a read in flight, when read again, then both share it', async () => {
    let reads = 0;
    let release: (value: number) => void = () => undefined;
    const read = throttledRead(() => {
      reads += 1;
      return new Promise<number>((resolve) => (release = resolve));
    });

    const first = read();
    const second = read();
    release(7);

    assert.deepEqual([await first, await second, reads], [7, 7, 1]);
  });

  it('given a failed read, when read again, then it reads again rather than remember the failure', async () => {
    let reads = 0;
    const read = throttledRead(() => {
      reads += 1;
      return reads === 1 ? Promise.reject(new Error('down')) : Promise.resolve(reads);
    });

    await assert.rejects(read(), /down/);
    const second = await read();

    assert.equal(second, 2);
  });
});
