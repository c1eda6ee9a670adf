import {
  accountChanges,
  accountStatuses,
  type AccountChange,
  type AccountStatus,
} from '@ledger/schemas';
import type { AuditState } from './auditTypes.ts';

/** What a run that passed reports (the summary's `totals`), from the state it ends with. */
export interface AuditTotals {
  readonly eventsByType: Readonly<Record<string, number>>;
  readonly identicalDuplicates: number;
  /** Per currency: ordinary postings (TransferPosted) and the sum of their amounts. */
  readonly postedByCurrency: Readonly<Record<string, CurrencySum>>;
  /**
   * Per currency: the pending transfers still open at the end and the sum they hold. Added with
   * holds, in the same summary format: summaries written before simply lack it.
   */
  readonly pendingByCurrency: Readonly<Record<string, CurrencySum>>;
  readonly accountsOpened: number;
  /**
   * The opened accounts by status at the end, and the applied changes (AccountChanged) by change.
   * Added with account changes (v4), like pendingByCurrency: summaries written before lack them.
   */
  readonly accountsByStatus: Readonly<Record<AccountStatus, number>>;
  readonly accountChanges: Readonly<Record<AccountChange, number>>;
  /** Per currency: the sum of the final balances, "0" in a double-entry ledger. */
  readonly finalBalanceSumByCurrency: Readonly<Record<string, string>>;
}

export interface CurrencySum {
  readonly transfers: number;
  /** Decimal string: JSON has no bigint. */
  readonly amount: string;
}

export function auditTotals(state: AuditState): AuditTotals {
  let accountsOpened = 0;
  const byStatus = new Map<AccountStatus, number>();
  for (const book of state.accounts.values()) {
    if (book.opened === undefined) continue;
    accountsOpened += 1;
    const status = book.life?.status ?? 'open';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  const open = new Map<string, { transfers: number; amount: bigint }>();
  for (const hold of state.pendingTransfers.values()) {
    if (hold.settledBy !== undefined) continue;
    const sum = open.get(hold.currency) ?? { transfers: 0, amount: 0n };
    sum.transfers += 1;
    sum.amount += hold.amount;
    open.set(hold.currency, sum);
  }
  return {
    eventsByType: Object.fromEntries(sorted(state.eventsByType)),
    identicalDuplicates: state.identicalDuplicates,
    postedByCurrency: sums(state.postedByCurrency),
    pendingByCurrency: sums(open),
    accountsOpened,
    // Every status and change, 0 where none: the same keys in every summary.
    accountsByStatus: countsOf(accountStatuses, byStatus),
    accountChanges: countsOf(accountChanges, state.accountChanges),
    finalBalanceSumByCurrency: Object.fromEntries(
      sorted(state.balanceSumByCurrency).map(([currency, sum]) => [currency, sum.toString()]),
    ),
  };
}

function sums(
  byCurrency: Map<string, { transfers: number; amount: bigint }>,
): Record<string, CurrencySum> {
  return Object.fromEntries(
    sorted(byCurrency).map(([currency, { transfers, amount }]) => [
      currency,
      { transfers, amount: amount.toString() },
    ]),
  );
}

function countsOf<K extends string>(keys: readonly K[], counts: Map<K, number>): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, counts.get(key) ?? 0])) as Record<K, number>;
}

/** By key: the printed summary reads the same whatever order the partitions were read in. */
const sorted = <V>(map: Map<string, V>): [string, V][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
