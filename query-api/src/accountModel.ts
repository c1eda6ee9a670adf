/**
 * What the query API serves about an account. Balances are bigint in memory and decimal strings
 * on the wire; they never pass through a JS number. Versions are safe integers (see
 * @ledger/schemas fieldRules.ts for why a number is enough there).
 */

/** The part of an account the change feed carries (BalanceChanged, minus its timestamp). */
export interface BalanceSnapshot {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: bigint;
  /**
   * The balance minus what the account's pending transfers hold (what it may spend). Absent
   * means nothing is held, so it equals `balance`: BalanceChanged from writers before holds
   * (v1) lack it, and loaders that know no holds (tests' in-memory ones) leave it out. Readers
   * take `available ?? balance` (`availableOf`).
   */
  readonly available?: bigint;
  readonly version: number;
  /**
   * The account's revision: the version of its settings (status, metadata), 1 when opened, +1 per
   * accepted change (freeze, unfreeze, close, metadata update); `version` counts entries only.
   * Absent means 1: BalanceChanged from writers before account changes (v1, v2) lack it, and so
   * do tests' in-memory loaders. Readers take `revision ?? 1` (`revisionOf`).
   */
  readonly revision?: number;
}

/** What the account may spend: `available`, or its balance when nothing is held. */
export function availableOf(snapshot: BalanceSnapshot): bigint {
  return snapshot.available ?? snapshot.balance;
}

/** The settings version of a snapshot: its revision, 1 when it does not say. */
export function revisionOf(snapshot: BalanceSnapshot): number {
  return snapshot.revision ?? 1;
}

/**
 * The part of an account the change feed does not carry. The overdraft limit and the opening
 * time never change; status and metadata change with an account change (freeze, unfreeze,
 * close, metadata update), which raises the account's revision and not its version. The ledger
 * processor then publishes a BalanceChanged with the new revision (balance and version as they
 * were), and the cache drops an entry whose revision is lower, so the next read loads the new
 * details from the ledger of record (balanceCache.ts). A new kind of change to these fields must
 * raise the revision the same way, or the cache would keep serving the old value.
 */
export interface AccountDetails {
  readonly overdraftLimit: bigint;
  readonly status: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** An account as loaders return it and readers see it; the cache holds it as an AccountEntry. */
export interface CachedAccount extends BalanceSnapshot {
  /**
   * Undefined when the loader's source does not know the account's opening; the account route
   * then shows its four fields as null. The Postgres loader reads `accounts`, where the opening
   * always is, so only other loaders (tests' in-memory ones) leave it out.
   */
  readonly details: AccountDetails | undefined;
}

/** Reads one account from Postgres; undefined when it does not exist (yet). */
export type AccountLoader = (accountId: string) => Promise<CachedAccount | undefined>;
