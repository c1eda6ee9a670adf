import { assert } from '@ledger/runtime';
import type { AccountChanged, BalanceChanged, LedgerEvent } from '@ledger/schemas';
import type pg from 'pg';

/**
 * Compaction keeps the LAST message of a key, not the highest version. One instance publishes in
 * commit order, but an account's versions are decided by whichever instance owns the partition of
 * each command touching it (a credit is decided in the debtor's partition), so another instance
 * may commit v+1 after us and get it acknowledged before our v. After each acknowledged publish the
 * relay therefore re-reads the accounts it published and republishes the newest balance of those
 * that moved on (a later version, or a later revision at the same version: an account change,
 * decided in the account's own partition) — unless this instance will publish that itself (it is
 * queued behind).
 * Whoever commits after the re-read publishes after our acknowledgement, so once writes stop
 * every key's last message is the ledger's balance. (With each account owned by one partition's
 * writer, a later design, this check finds nothing and can go.)
 */

/** Re-read rounds per publish; a hot account still moving is left to the writers moving it. */
export const balanceCatchUpRoundsMax = 3;

/**
 * Where a balance stands in its account's history: its version (entries), then its revision
 * (settings changes, which leave the version as it was). A change's BalanceChanged has its
 * entry's version and a higher revision, so comparing versions alone would take it for a
 * duplicate of the one before and skip it. A message without a revision (a drained event states
 * none) counts as revision 1, as the schema says: when the account is past that, the catch-up
 * publishes it whole.
 */
export function isBefore(
  a: Pick<BalanceChanged, 'version' | 'revision'>,
  b: Pick<BalanceChanged, 'version' | 'revision'>,
): boolean {
  return (
    a.version < b.version || (a.version === b.version && (a.revision ?? 1) < (b.revision ?? 1))
  );
}

/**
 * The newest balance of each account that this instance has committed and not yet published:
 * bounded by what the relay's queue holds (outboxQueuedBatchesMax), as entries leave on publish.
 */
export interface QueuedBalances {
  enqueued(changes: readonly BalanceChanged[]): void;
  published(changes: readonly BalanceChanged[]): void;
  /** True when this instance will publish `change`'s version and revision, or a newer one. */
  covers(change: BalanceChanged): boolean;
}

export function createQueuedBalances(): QueuedBalances {
  const newest = new Map<string, BalanceChanged>();
  return {
    enqueued(changes) {
      for (const change of changes) {
        const queued = newest.get(change.accountId);
        if (queued === undefined || isBefore(queued, change)) newest.set(change.accountId, change);
      }
    },
    published(changes) {
      for (const change of changes) {
        const queued = newest.get(change.accountId);
        if (queued !== undefined && !isBefore(change, queued)) newest.delete(change.accountId);
      }
    },
    covers(change) {
      const queued = newest.get(change.accountId);
      return queued !== undefined && !isBefore(queued, change);
    },
  };
}

/** The newest change per account (the last one seen when version and revision tie). */
export function newestPerAccount(changes: readonly BalanceChanged[]): BalanceChanged[] {
  const newest = new Map<string, BalanceChanged>();
  for (const change of changes) {
    const known = newest.get(change.accountId);
    if (known === undefined || !isBefore(change, known)) newest.set(change.accountId, change);
  }
  return [...newest.values()];
}

interface CurrentRow {
  id: string;
  currency: string;
  balance: string;
  held: string;
  version: string;
  revision: string;
  updated_at: Date;
}

/**
 * The current balance of the accounts among `published` whose ledger row is past the version
 * and revision published: one primary-key probe per account, and the posting (or the opening)
 * that made the current version and the change that made the current revision, for its time.
 */
export async function loadNewerBalances(
  db: Pick<pg.Pool, 'query'>,
  published: readonly BalanceChanged[],
): Promise<BalanceChanged[]> {
  if (published.length === 0) return [];
  const result = await db.query<CurrentRow>(
    `select a.id, a.currency, a.balance::text as balance, a.held::text as held, a.version,
            a.revision, greatest(coalesce(p.posted_at, a.created_at), c.changed_at) as updated_at
       from unnest($1::text[], $2::bigint[], $3::bigint[]) as k (id, version, revision)
       join accounts a on a.id = k.id and (a.version, a.revision) > (k.version, k.revision)
       left join postings p on p.account_id = a.id and p.version = a.version
       left join account_changes c on c.account_id = a.id and c.revision = a.revision`,
    [
      published.map((change) => change.accountId),
      published.map((change) => change.version),
      published.map((change) => change.revision ?? 1),
    ],
  );
  return result.rows.map((row) => {
    const balance = BigInt(row.balance);
    return {
      accountId: row.id,
      currency: row.currency.trim(),
      balance,
      available: balance - BigInt(row.held),
      version: Number(row.version),
      revision: Number(row.revision),
      updatedAt: row.updated_at.getTime(),
    };
  });
}

/**
 * The BalanceChanged of an AccountChanged read back from the outbox (a drain after a crash or a
 * rebalance): the event states no balance, so it is read from the ledger at the event's version —
 * the posting that made it (postings keep balance_after and held_after), or the opening at
 * version 1. One query per drained change: drains are rare, changes rarer.
 */
export async function loadChangedBalance(
  db: Pick<pg.Pool, 'query'>,
  event: LedgerEvent<AccountChanged>,
): Promise<BalanceChanged> {
  const { accountId, version, revision } = event.payload;
  const result = await db.query<{
    currency: string;
    balance: string | null;
    held: string | null;
  }>(
    `select a.currency, p.balance_after::text as balance, p.held_after::text as held
       from accounts a left join postings p on p.account_id = a.id and p.version = $2
      where a.id = $1`,
    [accountId, version],
  );
  const row = result.rows[0];
  assert(row !== undefined, `drained AccountChanged of ${accountId}: no such account`);
  assert(
    version === 1 || row.balance !== null,
    `drained AccountChanged of ${accountId}: no posting at its version ${version}`,
  );
  const balance = BigInt(row.balance ?? 0);
  return {
    accountId,
    currency: row.currency.trim(),
    balance,
    available: balance - BigInt(row.held ?? 0),
    version,
    revision,
    updatedAt: event.occurredAt,
  };
}
