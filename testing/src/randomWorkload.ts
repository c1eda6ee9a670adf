import type { CommandPayload, LedgerCommand } from '@ledger/schemas';
import { SeededRandom, ZipfPicker } from './domainRandom.ts';
import {
  accountChange as accountChangePayload,
  command,
  openAccount,
  pendingTransfer,
  settlement,
  transfer,
} from './ledgerWorkload.ts';

export interface Workload {
  readonly opens: readonly LedgerCommand[];
  /**
   * Funding, random transfers, pending transfers and their posts and voids, client retries
   * (same body, new command id) and a few bad ones.
   */
  readonly transfers: readonly LedgerCommand[];
  readonly distinctTransferIds: number;
  /** The command ids of posts and voids (and their retries): they name no transfer of their own. */
  readonly settlementCommandIds: ReadonlySet<string>;
  /**
   * The command ids of account changes and their retries (each change has an Idempotency-Key of
   * its own; a retry reuses it), in `transfers` with the rest.
   */
  readonly changeCommandIds: ReadonlySet<string>;
}

/**
 * A seeded workload: `accounts` customer accounts and a funding account with a large overdraft
 * that funds each of them, then `transfers` random transfers with Zipf-hot senders and
 * receivers, amounts that sometimes overdraw, transfers to unknown accounts, client retries
 * of earlier transfers (which must not take effect twice), reversals of earlier transfers
 * (whole, partial, too large; never taking back more than the original's amount), pending
 * transfers (half of them expiring 1 to 3 s after their decision) and posts (whole, part, too
 * much) and voids of earlier ones (also of transfers that were never pending, refused), and
 * account changes (freezes, unfreezes, metadata updates, closes, some refused, some retried).
 */
export function randomWorkload(options: {
  seed: number;
  accounts: number;
  transfers: number;
  /** Mix in pending transfers and their posts and voids (off: the workload before holds). */
  holds?: boolean;
  /**
   * Mix in account changes (accountChanges below) and `spare-N` accounts opened empty, some of
   * which transfers pay into (off: the workload before the lifecycle).
   */
  lifecycle?: boolean;
}): Workload {
  const random = new SeededRandom(options.seed);
  const ids = Array.from({ length: options.accounts }, (_, index) => `acct-${index}`);
  // Zipf(s=1.1): a few hot accounts take most of the traffic.
  const hot = new ZipfPicker(ids, 1.1);
  const spares = Array.from({ length: options.lifecycle === true ? 5 : 0 }, (_, n) => `spare-${n}`);
  const opens = [
    command(openAccount('funding', 10n ** 15n)),
    ...[...ids, ...spares].map((id) => command(openAccount(id))),
  ];
  const changes = new Set<string>();
  const transfers: LedgerCommand[] = ids.map((id) =>
    command(transfer(`fund-${id}`, 'funding', id, 100_000n)),
  );
  let distinct = transfers.length;
  const pendings: LedgerCommand[] = [];
  const settlements = new Set<string>();
  while (transfers.length < options.accounts + options.transfers) {
    if (options.lifecycle === true && random.next() < 0.03) {
      const change = accountChange(random, [...ids, ...spares], spares, transfers.length);
      const key = `chg-${options.seed}-${transfers.length}`;
      const first = command(change, key);
      transfers.push(first);
      changes.add(first.commandId);
      if (random.next() < 0.2) {
        // A client retry with the same Idempotency-Key and body: applied at most once.
        const retry = command(change, key);
        transfers.push(retry);
        changes.add(retry.commandId);
      }
      continue;
    }
    const roll = random.next();
    const holds = options.holds === true;
    if (holds && roll < 0.13 && roll >= 0.09) {
      const from = hot.pick(random);
      let to = hot.pick(random);
      if (to === from) to = ids[(ids.indexOf(from) + 1) % ids.length] ?? 'acct-1';
      const amount = BigInt(1 + Math.floor(random.next() * 30_000));
      const timeout = random.next() < 0.5 ? undefined : 1 + Math.floor(random.next() * 3);
      const hold = command(
        pendingTransfer(`hd-${options.seed}-${transfers.length}`, from, to, amount, timeout),
      );
      transfers.push(hold);
      pendings.push(hold);
      distinct += 1;
      continue;
    }
    if (holds && roll < 0.18 && roll >= 0.13 && pendings.length > 0) {
      const target = (random.next() < 0.9 ? random.pick(pendings) : random.pick(transfers)).payload;
      if (target.type === 'Transfer') {
        const action = random.next() < 0.7 ? 'post' : 'void';
        const shape = random.next();
        const amount =
          action === 'void' || shape < 0.4
            ? undefined
            : shape < 0.55
              ? target.amount + 1n
              : (target.amount * BigInt(1 + Math.floor(random.next() * 9))) / 10n + 1n;
        const settle = command(
          settlement(target.transferId, target.fromAccountId, target.toAccountId, action, amount),
        );
        transfers.push(settle);
        settlements.add(settle.commandId);
        continue;
      }
    }
    if (roll < 0.05 && transfers.length > 0) {
      // A client retry: same transferId and body, a new command id.
      const retried = command(random.pick(transfers).payload);
      if (retried.payload.type === 'SettlePending') settlements.add(retried.commandId);
      // A change sent again without its key: a new change (its key is its own command id).
      if (retried.payload.type === 'ChangeAccount') changes.add(retried.commandId);
      transfers.push(retried);
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
    else if (spares.length > 0 && roll < 0.08) to = random.pick(spares);
    const amount = BigInt(1 + Math.floor(random.next() * (roll < 0.15 ? 500_000 : 20_000)));
    transfers.push(command(transfer(`tx-${options.seed}-${transfers.length}`, from, to, amount)));
    distinct += 1;
  }
  return {
    opens,
    transfers,
    distinctTransferIds: distinct,
    settlementCommandIds: settlements,
    changeCommandIds: changes,
  };
}

/**
 * A random account change: mostly freezes and unfreezes of hot and spare accounts (some refused
 * as account_status_conflict, some with a stale expectedRevision: revision_conflict), metadata
 * updates, and closes — of spare accounts, empty unless a transfer paid into one first, and now
 * and then of a funded account (account_not_empty).
 */
function accountChange(
  random: SeededRandom,
  accounts: readonly string[],
  spares: readonly string[],
  step: number,
): CommandPayload {
  const roll = random.next();
  const expected =
    random.next() < 0.15 ? { expectedRevision: 1 + Math.floor(random.next() * 4) } : {};
  if (roll < 0.15 && spares.length > 0) {
    const target = random.next() < 0.8 ? random.pick(spares) : random.pick(accounts);
    return accountChangePayload(target, 'close', expected);
  }
  const target = random.pick(accounts);
  if (roll < 0.3) {
    return accountChangePayload(target, 'update_metadata', {
      ...expected,
      metadata: { step: String(step) },
    });
  }
  return accountChangePayload(target, roll < 0.65 ? 'freeze' : 'unfreeze', expected);
}
