import type { LedgerCommand } from '@ledger/schemas';
import { command, openAccount, transfer } from './ledgerWorkload.ts';

/** mulberry32: a small seeded PRNG, so a failing run is replayed from its printed seed. */
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

/** Zipf(s=1.1) over n ranks by inverse CDF: a few hot accounts take most of the traffic. */
function zipfPicker(n: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, rank) => 1 / (rank + 1) ** 1.1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) cumulative.push((running += weight / total));
  return () => {
    const draw = random();
    const index = cumulative.findIndex((bound) => draw <= bound);
    return index === -1 ? n - 1 : index;
  };
}

export interface Workload {
  readonly opens: readonly LedgerCommand[];
  /** Funding, random transfers, client retries (same body, new command id) and a few bad ones. */
  readonly transfers: readonly LedgerCommand[];
  readonly distinctTransferIds: number;
}

/**
 * A seeded workload: `accounts` customer accounts and a funding account with a large overdraft
 * that funds each of them, then `transfers` random transfers with Zipf-hot senders and
 * receivers, amounts that sometimes overdraw, transfers to unknown accounts, and client retries
 * of earlier transfers (which must not take effect twice).
 */
export function randomWorkload(options: {
  seed: number;
  accounts: number;
  transfers: number;
}): Workload {
  const random = seededRandom(options.seed);
  const pick = zipfPicker(options.accounts, random);
  const ids = Array.from({ length: options.accounts }, (_, index) => `acct-${index}`);
  const opens = [
    command(openAccount('funding', 10n ** 15n)),
    ...ids.map((id) => command(openAccount(id))),
  ];
  const transfers: LedgerCommand[] = ids.map((id) =>
    command(transfer(`fund-${id}`, 'funding', id, 100_000n)),
  );
  let distinct = transfers.length;
  while (transfers.length < options.accounts + options.transfers) {
    const roll = random();
    if (roll < 0.05 && transfers.length > 0) {
      // A client retry: same transferId and body, a new command id.
      const original = transfers[Math.floor(random() * transfers.length)];
      if (original !== undefined) transfers.push(command(original.payload));
      continue;
    }
    const from = ids[pick()] ?? 'acct-0';
    let to = ids[pick()] ?? 'acct-1';
    if (to === from) to = ids[(ids.indexOf(from) + 1) % ids.length] ?? 'acct-1';
    if (roll < 0.07) to = `ghost-${transfers.length}`;
    const amount = BigInt(1 + Math.floor(random() * (roll < 0.15 ? 500_000 : 20_000)));
    transfers.push(command(transfer(`tx-${options.seed}-${transfers.length}`, from, to, amount)));
    distinct += 1;
  }
  return { opens, transfers, distinctTransferIds: distinct };
}
