/**
 * A small seeded PRNG for the random-sequence tests (mulberry32: 32-bit state, fast, good enough
 * for test data, reproducible from the seed printed on failure).
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A bigint spread over orders of magnitude: 1 to 10^digitsMax, log-uniform. */
  amount(digitsMax: number): bigint {
    const digits = this.int(1, digitsMax);
    return BigInt(Math.floor(this.next() * 10 ** digits)) + 1n;
  }
}

/** Zipf-distributed picks over a list: the first items are hot, the tail is cold. */
export class ZipfPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    exponent: number,
  ) {
    let total = 0;
    items.forEach((_item, rank) => {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative.push(total);
    });
    this.total = total;
  }

  pick(random: SeededRandom): T {
    const target = random.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.cumulative[middle] ?? Infinity) < target) low = middle + 1;
      else high = middle;
    }
    const item = this.items[low];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}
