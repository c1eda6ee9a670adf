import { LedgerError } from '@ledger/runtime';
import type { AccountEntry } from './accountEntry.ts';
import type { BalanceCache } from './balanceCache.ts';
import type { VersionWaiters } from './versionWaiters.ts';

/** How a read may wait: the core's terms, which the HTTP layer parses a query into. */
export interface ReadOptions {
  /** Absent: serve what is there. Present: wait until the account reaches it. */
  readonly minVersion: number | undefined;
  readonly waitMs: number;
}

/**
 * One account read as every route needs it: from the cache, loading on a miss, and with
 * `minVersion` waiting until the account reaches that version (read-your-writes, docs/contract.md).
 */
export interface AccountReader {
  /**
   * The synchronous fast path of the hot routes: the cached entry when it satisfies `minVersion`
   * (counted as a hit), else undefined and the caller takes `read`.
   */
  cachedAtLeast(accountId: string, minVersion: number | undefined): AccountEntry | undefined;
  /**
   * Rejects with not_found (no such account, no minVersion), consistency_timeout, overloaded or
   * unavailable, all LedgerErrors.
   */
  read(accountId: string, options: ReadOptions): Promise<AccountRead>;
}

export interface AccountRead {
  readonly account: AccountEntry;
  /** False when this request waited for a load from Postgres (the `X-Cache: miss` header). */
  readonly hit: boolean;
}

/**
 * Rounds of "read, then wait" one request may take. A round ends either with an answer or with a
 * notified version; the next round then finds it cached, or (when the entry was evicted between
 * the notification and the read) loads it from the read model, which already holds it. Two
 * rounds suffice; the rest is headroom, and the deadline still bounds the total time.
 */
export const readRoundsMax = 4;

export function createAccountReader(deps: {
  readonly cache: BalanceCache;
  readonly waiters: VersionWaiters;
  readonly now: () => number;
}): AccountReader {
  const { cache, waiters, now } = deps;

  return {
    cachedAtLeast(accountId, minVersion) {
      if (minVersion !== undefined && (cache.peekVersion(accountId) ?? 0) < minVersion) {
        return undefined; // counted once, by read()
      }
      return cache.getIfCached(accountId);
    },

    async read(accountId, { minVersion, waitMs }) {
      const deadline = now() + waitMs;
      let hit = true;
      for (let round = 0; round < readRoundsMax; round += 1) {
        let account = cache.getIfCached(accountId);
        if (account === undefined) {
          hit = false;
          account = await cache.load(accountId);
        }
        if (minVersion === undefined) {
          if (account === undefined) throw notFound(accountId);
          return { account, hit };
        }
        if (account !== undefined && account.version >= minVersion) {
          return { account, hit };
        }
        // Not there yet (an account opened a moment ago may not exist yet): wait for the version.
        // The current version is read in the same synchronous step as the registration.
        const remainingMs = deadline - now();
        // An account that does not exist yet times out like any other (504, not 404): the client
        // holds a version the command API gave it, so the account is on its way.
        await waiters.waitFor(accountId, minVersion, remainingMs, cache.peekVersion(accountId));
      }
      throw new LedgerError(
        'consistency_timeout',
        `account ${accountId} did not reach version ${minVersion} in ${readRoundsMax} rounds`,
      );
    },
  };
}

function notFound(accountId: string): LedgerError {
  return new LedgerError('not_found', `no account ${accountId}`);
}
