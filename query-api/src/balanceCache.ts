import { LRUCache } from 'lru-cache';
import { LedgerError, assert } from '@ledger/runtime';
import { toAccountEntry, type AccountEntry } from './accountEntry.ts';
import {
  revisionOf,
  type AccountLoader,
  type BalanceSnapshot,
  type CachedAccount,
} from './accountModel.ts';
import { createEntryColumns } from './entryColumns.ts';
import { createVersionFloors } from './versionFloors.ts';

/**
 * The in-process account cache of the read path (docs/architecture.md "The read path"). Pure apart
 * from the injected loader: no clock, no timers, no Kafka, no Postgres.
 *
 * Three maps, each bounded:
 * - `entries` (LRU, entriesMax): the accounts served from memory.
 * - `flights` (loadsInFlightMax): one load per missing key (single flight: however many requests
 *   miss on a key at once, one query runs and all of them share its result), `heldChanges`:
 *   the newest change that arrived for a loading key while its query ran (at most one per
 *   flight), and `heldRevisions`: the highest revision any of those changes carried.
 * - `floors` (versionFloorsMax, oldest forgotten first): the version an evicted entry had, so a
 *   reload after an eviction can never serve a lower version than one already served.
 *
 * The LRU index maps an account id to a slot of `columns` (entryColumns.ts), where the entry's
 * fields are stored densely; readers get a fresh AccountEntry built from them, never the storage.
 *
 * The race this closes: a miss starts a slow query that reads v3; meanwhile the projector commits
 * v4 and the change feed delivers it. Applying v4 to an entry that does not exist yet would be
 * lost, and caching v3 afterwards would make v3 stick until the next change. Here v4 is kept on
 * the flight and wins when the query returns, so v4 is served and cached, never v3.
 *
 * Changes for keys that are neither cached nor loading are not kept: the projector commits a
 * version to the read model before it publishes it, so the next miss reads that version or newer.
 *
 * Status and metadata (AccountDetails) are not on the feed; a change to them raises the account's
 * revision, not its version, and comes as a BalanceChanged with that revision. Versions and
 * revisions are guarded apart: an equal version with a higher revision is not stale. A change
 * whose revision is above the cached entry's drops the entry, as an eviction does (its version
 * becomes a floor), and the next read reloads it through the single flight: one query, which
 * reads the new details since the row was committed before the change was published. The same
 * race as above, for details: a load whose query ran before a newer revision's commit, while
 * that change arrived, returns older details. `heldRevisions` sees it: such a load answers the
 * requests that share it (as a read from just before the change, which their requests overlap)
 * but is not cached, so the next read loads again and no read after the load sees those details.
 * (Unlike a newer version, a newer revision cannot be laid over the loaded row: the change does
 * not carry the details.)
 */
export interface BalanceCache {
  /** The entry if cached (counts a hit, refreshes recency); undefined otherwise (counts nothing). */
  getIfCached(accountId: string): AccountEntry | undefined;
  /**
   * Loads a missing key through the loader, single flight per key; undefined when the account
   * does not exist. Rejects with `overloaded` when loadsInFlightMax keys are loading already.
   */
  load(accountId: string): Promise<AccountEntry | undefined>;
  /** Hit or load, for callers that do not need the synchronous fast path. */
  get(accountId: string): Promise<{ account: AccountEntry | undefined; hit: boolean }>;
  /**
   * Applies a change from the feed: a newer version replaces the balance of what is cached or
   * loading; a newer revision drops what is cached and keeps what is loading from being cached.
   */
  applyChange(change: BalanceSnapshot): ChangeOutcome;
  /** The cached version without touching recency or counters (for waiters and the stream). */
  peekVersion(accountId: string): number | undefined;
  /** Whether a change for the key would matter here: it is cached or loading (no recency touch). */
  tracks(accountId: string): boolean;
  readonly size: number;
  readonly loadsInFlight: number;
}

/** `invalidated`: a newer revision dropped the cached entry (the next read reloads it). */
export type ChangeOutcome = 'applied' | 'stale' | 'held_for_load' | 'uncached' | 'invalidated';

/** Counters and gauges the cache reports to; main.ts binds them to Prometheus. */
export interface BalanceCacheHooks {
  hit(): void;
  miss(): void;
  eviction(): void;
  loadsInFlight(count: number): void;
  /** A reload came back older than a version already served: refused (503), never served. */
  staleLoadRefused(): void;
}

export interface BalanceCacheOptions {
  readonly entriesMax: number;
  readonly loadsInFlightMax: number;
  readonly versionFloorsMax: number;
  readonly load: AccountLoader;
  readonly hooks?: Partial<BalanceCacheHooks>;
  /**
   * Called whenever the cache learns that a key reached a version (a change from the feed, a
   * load): version waiters are woken from here, with no polling.
   */
  readonly onVersion?: (accountId: string, version: number) => void;
}

/** Seconds a client is asked to wait after `overloaded` / `unavailable` from the cache. */
export const cacheRetryAfterSeconds = 1;

export function createBalanceCache(options: BalanceCacheOptions): BalanceCache {
  assert(options.entriesMax >= 1, 'entriesMax must be at least 1');
  assert(options.loadsInFlightMax >= 1, 'loadsInFlightMax must be at least 1');
  assert(options.versionFloorsMax >= 1, 'versionFloorsMax must be at least 1');
  const hooks: BalanceCacheHooks = { ...noHooks, ...options.hooks };
  const onVersion = options.onVersion ?? (() => undefined);
  const floors = createVersionFloors(options.versionFloorsMax);
  // One spare slot: lru-cache evicts inside set(), after the new entry has taken its slot.
  const columns = createEntryColumns(options.entriesMax + 1);
  // Only a bound on entries: no TTL (the feed keeps entries fresh) and no size calculation, so
  // lru-cache keeps no per-entry arrays beyond its index. Values are slots of `columns`; a key
  // keeps its slot for as long as it is cached (set() again only refreshes its recency).
  const entries = new LRUCache<string, number>({
    max: options.entriesMax,
    dispose: (slot, accountId, reason) => {
      assert(reason !== 'set', 'a cached key keeps its slot');
      if (reason === 'evict') {
        hooks.eviction();
        floors.raise(accountId, columns.version(slot));
      }
      columns.free(slot);
    },
  });
  const flights = new Map<string, Promise<AccountEntry | undefined>>();
  /** The newest change seen for a key while its load runs; a key is here only during a flight. */
  const heldChanges = new Map<string, BalanceSnapshot>();
  /** The highest revision above 1 seen for a key while its load runs (any version's change). */
  const heldRevisions = new Map<string, number>();

  function getIfCached(accountId: string): AccountEntry | undefined {
    const slot = entries.get(accountId);
    if (slot === undefined) return undefined;
    hooks.hit();
    return columns.read(slot, accountId);
  }

  function load(accountId: string): Promise<AccountEntry | undefined> {
    hooks.miss();
    const running = flights.get(accountId);
    if (running !== undefined) return running;
    if (flights.size >= options.loadsInFlightMax) {
      return Promise.reject(
        new LedgerError('overloaded', `${flights.size} accounts are loading already`, {
          retryAfterSeconds: cacheRetryAfterSeconds,
        }),
      );
    }
    const flight = runLoad(accountId);
    flights.set(accountId, flight);
    hooks.loadsInFlight(flights.size);
    return flight;
  }

  async function runLoad(accountId: string): Promise<AccountEntry | undefined> {
    // Yield once so load() registers this flight before the loader runs: the flight must be
    // visible to applyChange before the query takes its snapshot, and a loader that throws at
    // once must still find it registered for the `finally` below to remove.
    await Promise.resolve();
    try {
      let loaded = await options.load(accountId);
      if (loaded === undefined && heldChanges.has(accountId)) {
        // Opened while we read: the projector commits before it publishes, so it is there now.
        loaded = await options.load(accountId);
      }
      return settle(
        accountId,
        loaded,
        heldChanges.get(accountId),
        heldRevisions.get(accountId) ?? 1,
      );
    } finally {
      // Same synchronous run as settle(): no change can land between caching and this.
      flights.delete(accountId);
      heldChanges.delete(accountId);
      heldRevisions.delete(accountId);
      hooks.loadsInFlight(flights.size);
    }
  }

  /**
   * Chooses what a finished load caches: the loaded row, or a newer change seen meanwhile; and
   * nothing when a change seen meanwhile had a newer revision than the row's details.
   */
  function settle(
    accountId: string,
    found: CachedAccount | undefined,
    newest: BalanceSnapshot | undefined,
    newestRevision: number,
  ): AccountEntry | undefined {
    if (found === undefined) return undefined;
    assert(found.accountId === accountId, 'the loader returned another account');
    const loaded = toAccountEntry(found);
    // Only settle() inserts, and a key loads only while it is not cached: what it caches now is
    // the first version of this entry, so only the floor can say what was served before.
    assert(entries.peek(accountId) === undefined, 'a loading key is never cached');
    const chosen =
      newest !== undefined && newest.version > loaded.version ? loaded.withBalance(newest) : loaded;
    const floor = floors.peek(accountId);
    if (floor !== undefined && chosen.version < floor) {
      // The read model went back behind a version this instance served (a rebuild in progress,
      // a restored backup). Serving it would break Invariant 6; a retry can succeed once the
      // read model catches up.
      hooks.staleLoadRefused();
      throw new LedgerError(
        'unavailable',
        `the read model holds version ${chosen.version} of this account, below version ${floor} already served`,
        { retryAfterSeconds: cacheRetryAfterSeconds },
      );
    }
    if (newestRevision > chosen.revision) {
      // The query read status and metadata from before a change that arrived while it ran: the
      // requests sharing it get them (a read from just before the change), no later one does.
      // What they are served is not cached, so its version is remembered as an evicted one is.
      floors.raise(accountId, chosen.version);
      onVersion(accountId, chosen.version);
      return chosen;
    }
    floors.delete(accountId);
    // Keyed by the loaded row's id, not the request's: that one is a slice of the request URL
    // and would keep the whole URL string alive for as long as the entry lives.
    entries.set(chosen.accountId, columns.insert(chosen));
    onVersion(accountId, chosen.version);
    return chosen;
  }

  function applyChange(change: BalanceSnapshot): ChangeOutcome {
    const revision = revisionOf(change);
    const slot = entries.peek(change.accountId);
    if (slot !== undefined) {
      if (revision > columns.revision(slot)) {
        // New details the change does not carry: dropped as an eviction drops it, the floor
        // first (delete() frees the slot). The next read reloads it, whatever the versions.
        floors.raise(change.accountId, columns.version(slot));
        entries.delete(change.accountId);
        onVersion(change.accountId, change.version);
        return 'invalidated';
      }
      if (change.version <= columns.version(slot)) return 'stale'; // duplicate or overtaken
      columns.write(slot, columns.read(slot, change.accountId).withBalance(change));
      entries.set(change.accountId, slot); // the key string kept: the id is held once
      onVersion(change.accountId, change.version);
      return 'applied';
    }
    if (flights.has(change.accountId)) {
      const held = heldChanges.get(change.accountId);
      if (held === undefined || change.version > held.version) {
        heldChanges.set(change.accountId, change);
      }
      if (revision > (heldRevisions.get(change.accountId) ?? 1)) {
        heldRevisions.set(change.accountId, revision);
      }
      onVersion(change.accountId, change.version);
      return 'held_for_load';
    }
    // Not remembered (see the header comment); waiters for a key whose entry was evicted still
    // learn that the version exists, and reload it.
    onVersion(change.accountId, change.version);
    return 'uncached';
  }

  return {
    getIfCached,
    load,
    tracks: (accountId) => entries.has(accountId) || flights.has(accountId),
    async get(accountId) {
      const cached = getIfCached(accountId);
      if (cached !== undefined) return { account: cached, hit: true };
      return { account: await load(accountId), hit: false };
    },
    applyChange,
    peekVersion(accountId) {
      const slot = entries.peek(accountId);
      return slot === undefined ? undefined : columns.version(slot);
    },
    get size() {
      return entries.size;
    },
    get loadsInFlight() {
      return flights.size;
    },
  };
}

const noHooks: BalanceCacheHooks = {
  hit: () => undefined,
  miss: () => undefined,
  eviction: () => undefined,
  loadsInFlight: () => undefined,
  staleLoadRefused: () => undefined,
};
