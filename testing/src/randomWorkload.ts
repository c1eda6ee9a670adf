import type { LedgerCommand } from '@ledger/schemas';
import { SeededRandom, ZipfPicker } from './domainRandom.ts';
import { command, openAccount, transfer } from './ledgerWorkload.ts';

export interface Workload {
  readonly opens: readonly LedgerCommand[];
  /** Funding, random transfers, client retries (same body, new command id) and a few bad ones. */
  readonly transfers: readonly LedgerCommand[];
  readonly distinctTransferIds: number;
}

/**
 * A seeded workload: `accounts` customer accounts and a funding account with a large overdraft
 * that funds each of them, then `transfers` random transfers with Zipf-hot senders and
 * receivers, amounts that sometimes overdraw, transfers to unknown accounts, client retries
 * of earlier transfers (which must not take effect twice) and reversals of earlier transfers
 * (whole, partial, too large; never taking back more than the original's amount).
 */
export function randomWorkload(options: {
  seed: number;
  accounts: number;
  transfers: number;
}): Workload {
  const random = new SeededRandom(options.seed);
  const ids = Array.from({ length: options.accounts }, (_, index) => `acct-${index}`);
  // Zipf(s=1.1): a few hot accounts take most of the traffic.
  const hot = new ZipfPicker(ids, 1.1);
  const opens = [
    command(openAccount('funding', 10n ** 15n)),
    ...ids.map((id) => command(openAccount(id))),
  ];
  const transfers: LedgerCommand[] = ids.map((id) =>
    command(transfer(`fund-${id}`, 'funding', id, 100_000n)),
  );
  let distinct = transfers.length;
  while (transfers.length < options.accounts + options.transfers) {
    const roll = random.next();
    if (roll < 0.05 && transfers.length > 0) {
      // A client retry: same transferId and body, a new command id.
      transfers.push(command(random.pick(transfers).payload));
      continue;
    }
    if (roll < 0.09 && transfers.length > 0) {
      // A reversal of an earlier transfer: whole, part, or more than it (refused), keyed by the
      // account that pays back. Its original may not be decided yet (another partition), then
      // it is refused as transfer_not_reversible, as the processor must.
      const original = random.pick(transfers).payload;
      if (original.type === 'Transfer') {
        const part = BigInt(1 + Math.floor(random.next() * 10));
        const amount =
          roll < 0.055
            ? original.amount
            : roll < 0.06
              ? original.amount + 1n
              : (original.amount * part) / 10n + 1n;
        const reversalId = `rv-${options.seed}-${transfers.length}`;
        transfers.push(
          command(
            transfer(
              reversalId,
              original.toAccountId,
              original.fromAccountId,
              amount,
              original.transferId,
            ),
          ),
        );
        distinct += 1;
        continue;
      }
    }
    const from = hot.pick(random);
    let to = hot.pick(random);
    if (to === from) to = ids[(ids.indexOf(from) + 1) % ids.length] ?? 'acct-1';
    if (roll < 0.07) to = `ghost-${transfers.length}`;
    const amount = BigInt(1 + Math.floor(random.next() * (roll < 0.15 ? 500_000 : 20_000)));
    transfers.push(command(transfer(`tx-${options.seed}-${transfers.length}`, from, to, amount)));
    distinct += 1;
  }
  return { opens, transfers, distinctTransferIds: distinct };
}
