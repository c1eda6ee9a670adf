import type { BalanceChanged } from '@ledger/schemas';
import type pg from 'pg';

/**
 * Compaction keeps the LAST message of a key, not the highest version. One instance publishes in
 * commit order, but an account's versions are decided by whichever instance owns the partition of
 * each command touching it (a credit is decided in the debtor's partition), so another instance
 * may commit v+1 after us and get it acknowledged before our v. After each acknowledged publish the
 * relay therefore re-reads the accounts it published and republishes the newest balance of those
 * that moved on — unless this instance will publish that version itself (it is queued behind).
 * Whoever commits after the re-read publishes after our acknowledgement, so once writes stop
 * every key's last message is the ledger's balance. (With each account owned by one partition's
 * writer, a later design, this check finds nothing and can go.)
 */

/** Re-read rounds per publish; a hot account still moving is left to the writers moving it. */
export const balanceCatchUpRoundsMax = 3;

/**
 * The highest version of each account that this instance has committed and not yet published:
 * bounded by what the relay's queue holds (outboxQueuedBatchesMax), as entries leave on publish.
 */
export interface QueuedBalances {
  enqueued(changes: readonly BalanceChanged[]): void;
  published(changes: readonly BalanceChanged[]): void;
  /** True when this instance will publish `version` of the account or a newer one itself. */
  covers(accountId: string, version: number): boolean;
}

export function createQueuedBalances(): QueuedBalances {
  const highest = new Map<string, number>();
  return {
    enqueued(changes) {
      for (const { accountId, version } of changes) {
        if ((highest.get(accountId) ?? 0) < version) highest.set(accountId, version);
      }
    },
    published(changes) {
      for (const { accountId, version } of changes) {
        const queued = highest.get(accountId);
        if (queued !== undefined && queued <= version) highest.delete(accountId);
      }
    },
    covers(accountId, version) {
      return (highest.get(accountId) ?? 0) >= version;
    },
  };
}

/** The newest change per account (the last one seen when versions tie). */
export function newestPerAccount(changes: readonly BalanceChanged[]): BalanceChanged[] {
  const newest = new Map<string, BalanceChanged>();
  for (const change of changes) {
    const known = newest.get(change.accountId);
    if (known === undefined || known.version <= change.version)
      newest.set(change.accountId, change);
  }
  return [...newest.values()];
}

/**
 * The current balance of the accounts among `published` whose ledger row is past the version
 * published: one primary-key probe per account, and the posting (or the opening) that made the
 * current version for its time.
 */
export async function loadNewerBalances(
  db: Pick<pg.Pool, 'query'>,
  published: readonly BalanceChanged[],
): Promise<BalanceChanged[]> {
  if (published.length === 0) return [];
  const result = await db.query<{
    id: string;
    currency: string;
    balance: string;
    version: string;
    updated_at: Date;
  }>(
    `select a.id, a.currency, a.balance::text as balance, a.version,
            coalesce(p.posted_at, a.created_at) as updated_at
       from unnest($1::text[], $2::bigint[]) as k (id, version)
       join accounts a on a.id = k.id and a.version > k.version
       left join postings p on p.account_id = a.id and p.version = a.version`,
    [published.map((change) => change.accountId), published.map((change) => change.version)],
  );
  return result.rows.map((row) => ({
    accountId: row.id,
    currency: row.currency.trim(),
    balance: BigInt(row.balance),
    version: Number(row.version),
    updatedAt: row.updated_at.getTime(),
  }));
}
