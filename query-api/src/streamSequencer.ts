import { assert } from '@ledger/runtime';

/**
 * Per-connection version order for `/v1/stream` (docs/contract.md: every change, in version order
 * per account). Pure: no timers, no sockets; the caller passes the time in, so the gap timeout is
 * unit-tested with a made-up clock.
 *
 * Why reorder at all: one account's versions reach `ledger.balances` from the commands of several
 * partitions (a credit is decided in the debtor's), and with several processor instances v+1 may
 * be consumed before v. Every version is published (ledger-processor balanceMessages.ts, again
 * after a crash from the outbox), so a hole normally fills within a batch or two. It stays open
 * only when a version is gone from the topic (compaction removed it). Then the buffered
 * successors are released after `gapTimeoutMs` and the gap is reported.
 *
 * Per subscribed account:
 * - `next`: the version after the last one pushed. A change at `next` is pushed, then whatever
 *   buffered successors now follow on without a hole.
 * - a change above `next` is buffered (bounded per account and per connection) until the hole
 *   fills or the gap timeout passes; a change below `next` (duplicate, overtaken) is dropped.
 * - before the start is known (the subscribe snapshot is loading) changes are buffered, and the
 *   snapshot then drops those it covers.
 */
export interface Versioned {
  readonly version: number;
}

export interface StreamSequencerLimits {
  /** Versions buffered for one account of one connection. */
  readonly bufferedPerAccountMax: number;
  /** Versions buffered over all accounts of one connection. */
  readonly bufferedPerConnectionMax: number;
  /** How long a hole may hold back its successors before they are pushed anyway. */
  readonly gapTimeoutMs: number;
}

/** A hole given up on: its versions were never delivered, or the buffer could not wait longer. */
export type GapReason = 'timeout' | 'overflow';

/**
 * Buffer bounds per connection: a hot account's out-of-order window is a batch or two of another
 * partition (hundreds of versions); a connection holds up to 100 subscriptions by default.
 */
export const streamBufferedPerAccountMax = 1_000;
export const streamBufferedPerConnectionMax = 10_000;
/**
 * Long enough for a late partition's batch to be published (a batch takes tens of ms), short
 * enough that a client stalled by a crash-made gap resumes quickly.
 */
export const streamGapTimeoutMs = 2_000;

export const defaultStreamSequencerLimits: StreamSequencerLimits = {
  bufferedPerAccountMax: streamBufferedPerAccountMax,
  bufferedPerConnectionMax: streamBufferedPerConnectionMax,
  gapTimeoutMs: streamGapTimeoutMs,
};

/** What a subscribe's snapshot found: the current balance, no such account, or a failed read. */
export type StreamStart<T> =
  | { readonly kind: 'current'; readonly item: T }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

export interface StreamSequencer<T extends Versioned> {
  /** Starts tracking an account whose start is not known yet: changes are buffered. */
  track(accountId: string): void;
  /**
   * The start is known: returns what to push now, in order (the current item first). `absent`
   * starts at version 1 (the account opens later); `unknown` (the read failed) starts at the
   * lowest buffered version, or the first change offered. No-op for an untracked account.
   */
  begin(accountId: string, start: StreamStart<T>, now: number): T[];
  untrack(accountId: string): void;
  isTracked(accountId: string): boolean;
  /** The tracked accounts (a connection's subscriptions), in the order they were tracked. */
  tracked(): IterableIterator<string>;
  readonly trackedCount: number;
  /** A change from the feed: returns what to push now, in order (often just it, or nothing). */
  offer(accountId: string, item: T, now: number): T[];
  /** Releases the accounts whose hole has waited `gapTimeoutMs`: what to push, in order. */
  expire(now: number): T[];
  /** Versions held back over all accounts (0: nothing for expire() to do). */
  readonly buffered: number;
}

interface AccountOrder<T> {
  /** undefined: waiting for begin() ('pending') or for the first change ('adopt'). */
  next: number | undefined;
  adopt: boolean;
  readonly held: Map<number, T>;
  /** When the current hole started holding versions back (undefined: no hole). */
  gapSince: number | undefined;
}

export function createStreamSequencer<T extends Versioned>(
  limits: StreamSequencerLimits,
  onGap: (reason: GapReason) => void,
): StreamSequencer<T> {
  assert(limits.bufferedPerAccountMax >= 1, 'bufferedPerAccountMax must be at least 1');
  assert(
    limits.bufferedPerConnectionMax >= limits.bufferedPerAccountMax,
    'a connection must be able to buffer one account fully',
  );
  const accounts = new Map<string, AccountOrder<T>>();
  let buffered = 0;

  function hold(order: AccountOrder<T>, item: T): void {
    if (!order.held.has(item.version)) buffered += 1;
    order.held.set(item.version, item);
  }

  function take(order: AccountOrder<T>, version: number): T | undefined {
    const item = order.held.get(version);
    if (item !== undefined) {
      order.held.delete(version);
      buffered -= 1;
    }
    return item;
  }

  function lowestHeld(order: AccountOrder<T>): number | undefined {
    let lowest: number | undefined;
    for (const version of order.held.keys()) {
      if (lowest === undefined || version < lowest) lowest = version;
    }
    return lowest;
  }

  /**
   * Pushes the run that follows on from `next`, restarts the gap clock. Held versions are always
   * above `next` here (begin() drops the ones its start covers), so nothing is left behind.
   */
  function release(order: AccountOrder<T>, out: T[], now: number): void {
    const next = order.next;
    assert(next !== undefined, 'release needs a start');
    let cursor = next;
    for (let item = take(order, cursor); item !== undefined; item = take(order, cursor)) {
      out.push(item);
      cursor += 1;
    }
    order.next = cursor;
    // Every caller has just moved `next` on: what is still held waits behind a new hole, with a
    // full timeout of its own.
    order.gapSince = order.held.size > 0 ? now : undefined;
  }

  /** Gives up on the hole below the lowest buffered version: skips to it and releases the run. */
  function skipHole(order: AccountOrder<T>, out: T[], now: number, reason: GapReason): void {
    const lowest = lowestHeld(order);
    if (lowest === undefined) return;
    onGap(reason);
    order.next = lowest;
    order.gapSince = undefined;
    release(order, out, now);
  }

  function offerPending(order: AccountOrder<T>, item: T): void {
    // The snapshot read is at least as new as every change applied before it resolves (the cache
    // holds changes for a loading key), so when room runs out the lowest version is the one to
    // lose: the snapshot almost surely covers it.
    if (
      order.held.size >= limits.bufferedPerAccountMax ||
      buffered >= limits.bufferedPerConnectionMax
    ) {
      const lowest = lowestHeld(order);
      if (lowest === undefined || lowest >= item.version) return;
      take(order, lowest);
    }
    hold(order, item);
  }

  return {
    track(accountId) {
      if (!accounts.has(accountId)) {
        accounts.set(accountId, {
          next: undefined,
          adopt: false,
          held: new Map(),
          gapSince: undefined,
        });
      }
    },

    begin(accountId, start, now) {
      const order = accounts.get(accountId);
      const out: T[] = [];
      if (order === undefined || order.next !== undefined || order.adopt) return out;
      if (start.kind === 'current') {
        out.push(start.item);
        order.next = start.item.version + 1;
      } else if (start.kind === 'absent') {
        order.next = 1; // docs/contract.md: versions start at 1 when the account opens
      } else {
        order.next = lowestHeld(order);
        if (order.next === undefined) {
          order.adopt = true;
          return out;
        }
      }
      const first = order.next;
      for (const version of [...order.held.keys()]) if (version < first) take(order, version);
      release(order, out, now);
      return out;
    },

    untrack(accountId) {
      const order = accounts.get(accountId);
      if (order === undefined) return;
      buffered -= order.held.size;
      accounts.delete(accountId);
    },

    isTracked: (accountId) => accounts.has(accountId),
    tracked: () => accounts.keys(),
    get trackedCount() {
      return accounts.size;
    },

    offer(accountId, item, now) {
      const order = accounts.get(accountId);
      const out: T[] = [];
      if (order === undefined) return out;
      if (order.adopt) {
        order.adopt = false;
        order.next = item.version;
      }
      if (order.next === undefined) {
        offerPending(order, item);
        return out;
      }
      if (item.version < order.next) return out; // duplicate or overtaken: already pushed
      if (item.version === order.next) {
        out.push(item);
        order.next += 1;
        if (order.held.size > 0) release(order, out, now);
        return out;
      }
      if (order.held.has(item.version)) return out;
      if (
        order.held.size >= limits.bufferedPerAccountMax ||
        buffered >= limits.bufferedPerConnectionMax
      ) {
        // No room to wait for the holes: give them up and push what is held, in order, rather
        // than hold without bound (one gap counted per hole skipped).
        hold(order, item);
        while (order.held.size > 0) skipHole(order, out, now, 'overflow');
        return out;
      }
      hold(order, item);
      order.gapSince ??= now;
      return out;
    },

    expire(now) {
      const out: T[] = [];
      if (buffered === 0) return out;
      for (const order of accounts.values()) {
        if (order.gapSince !== undefined && now - order.gapSince >= limits.gapTimeoutMs) {
          skipHole(order, out, now, 'timeout');
        }
      }
      return out;
    },

    get buffered() {
      return buffered;
    },
  };
}
