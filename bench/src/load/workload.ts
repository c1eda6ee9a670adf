/**
 * The seeded workload every scenario draws from: named account sets, a uniform or Zipf picker,
 * and transfer bodies built as strings (the generator shares two cores with the system under test,
 * so it must cost as little per request as possible).
 */
import { idLengthMax } from '@ledger/schemas/fieldRules';

export type Distribution = 'uniform' | 'zipf';

/** Zipf exponent of testing/src/randomWorkload.ts: a few accounts take most traffic. */
export const zipfExponent = 1.1;
/** Per-transfer amounts stay tiny next to the funding, so no account ever runs dry. */
export const transferAmountMax = 1_000;
/** Funding each customer account receives when seeded (minor units). */
export const fundingAmount = 1_000_000_000n;
/** The contract's id length limit (@ledger/schemas); transfer ids are built to stay under it. */
export { idLengthMax };

/** mulberry32: small and seeded, so a run is replayed from the seed the report prints. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A set of `size` customer accounts and its funding account, named so later runs reuse them. */
export interface AccountSet {
  readonly name: string;
  readonly size: number;
  readonly fundingId: string;
  accountId(index: number): string;
}

export function accountSet(size: number): AccountSet {
  const name = `bench-a${size}`;
  return {
    name,
    size,
    fundingId: `${name}-funding`,
    accountId: (index) => `${name}-${index}`,
  };
}

/** Returns account indexes in [0, n): uniform, or Zipf(s) by binary search over the CDF. */
export function indexPicker(n: number, distribution: Distribution, random: () => number) {
  if (distribution === 'uniform') return () => Math.floor(random() * n);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank += 1) {
    total += 1 / (rank + 1) ** zipfExponent;
    cumulative[rank] = total;
  }
  return () => {
    const draw = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? total) < draw) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

export interface TransferSource {
  /** One transfer as a JSON object string, with a fresh transferId. */
  next(): string;
  /** `{"transfers":[…]}` with `count` fresh transfers. */
  batch(count: number): string;
  readonly issued: () => number;
}

/**
 * Transfers between distinct accounts of `set`, picked by `distribution`, ids `<tag>-<seq>`.
 * The tag holds the run and scenario so the audit can find exactly this run's transfers.
 */
export function transferSource(options: {
  set: AccountSet;
  distribution: Distribution;
  seed: number;
  tag: string;
}): TransferSource {
  const random = seededRandom(options.seed);
  const pick = indexPicker(options.set.size, options.distribution, random);
  const idPrefix = `${options.tag}-`;
  if (idPrefix.length + 10 > idLengthMax)
    throw new Error(`transfer tag ${options.tag} is too long`);
  let sequence = 0;
  const next = (): string => {
    const from = pick();
    let to = pick();
    if (to === from) to = (from + 1) % options.set.size;
    const amount = 1 + Math.floor(random() * transferAmountMax);
    sequence += 1;
    return (
      `{"transferId":"${idPrefix}${sequence}","fromAccountId":"${options.set.accountId(from)}",` +
      `"toAccountId":"${options.set.accountId(to)}","amount":"${amount}","currency":"USD"}`
    );
  };
  return {
    next,
    batch(count) {
      const items: string[] = [];
      for (let index = 0; index < count; index += 1) items.push(next());
      return `{"transfers":[${items.join(',')}]}`;
    },
    issued: () => sequence,
  };
}

/** FNV-1a: a stable per-scenario seed from its tag. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
