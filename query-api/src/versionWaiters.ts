import { LedgerError, assert } from '@ledger/runtime';

/**
 * Read-your-writes: requests with `minVersion` park here until the account reaches that version.
 * They are woken by `notify` (called when the cache learns a version, from the change feed or a
 * load), never by polling, and time out on their own timer. Both the total number of parked
 * requests and the number per account are bounded: past either, the request is refused with
 * `overloaded` at once rather than holding memory and a socket for the whole wait budget.
 */
export interface VersionWaiters {
  /**
   * Resolves once `accountId` reaches `minVersion`. `currentVersion` is what the caller sees in
   * the cache right now, checked in the same synchronous step as the registration so a version
   * that arrives between the caller's read and this call is not missed.
   */
  waitFor(
    accountId: string,
    minVersion: number,
    timeoutMs: number,
    currentVersion: number | undefined,
  ): Promise<void>;
  notify(accountId: string, version: number): void;
  /** Whether any request waits for a version of this account. */
  has(accountId: string): boolean;
  /** Rejects every parked request (shutdown); later calls are refused the same way. */
  closeAll(error: LedgerError): void;
  readonly size: number;
}

export interface VersionWaitersOptions {
  readonly waitersMax: number;
  readonly waitersPerAccountMax: number;
  readonly timers?: Timers;
  readonly hooks?: Partial<VersionWaitersHooks>;
}

export interface VersionWaitersHooks {
  waiting(count: number): void;
  timedOut(): void;
  refused(): void;
}

/** Injected so unit tests can fire timeouts by hand. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const waiterRetryAfterSeconds = 1;

interface Waiter {
  readonly minVersion: number;
  readonly resolve: () => void;
  readonly reject: (error: LedgerError) => void;
  readonly timer: unknown;
}

export function createVersionWaiters(options: VersionWaitersOptions): VersionWaiters {
  assert(options.waitersPerAccountMax >= 1, 'waitersPerAccountMax must be at least 1');
  assert(
    options.waitersPerAccountMax <= options.waitersMax,
    'waitersPerAccountMax must not exceed waitersMax',
  );
  const timers = options.timers ?? systemTimers;
  const hooks: VersionWaitersHooks = { ...noHooks, ...options.hooks };
  const byAccount = new Map<string, Set<Waiter>>();
  let size = 0;
  let closedWith: LedgerError | undefined;

  function remove(accountId: string, waiter: Waiter): void {
    const waiters = byAccount.get(accountId);
    if (waiters === undefined || !waiters.delete(waiter)) return;
    if (waiters.size === 0) byAccount.delete(accountId);
    size -= 1;
    hooks.waiting(size);
  }

  return {
    has: (accountId) => byAccount.has(accountId),
    waitFor(accountId, minVersion, timeoutMs, currentVersion) {
      if (closedWith !== undefined) return Promise.reject(closedWith);
      if (currentVersion !== undefined && currentVersion >= minVersion) return Promise.resolve();
      if (timeoutMs <= 0) {
        hooks.timedOut();
        return Promise.reject(timeoutError(accountId, minVersion));
      }
      const waiters = byAccount.get(accountId) ?? new Set<Waiter>();
      if (size >= options.waitersMax || waiters.size >= options.waitersPerAccountMax) {
        hooks.refused();
        const scope = size >= options.waitersMax ? 'in total' : 'for this account';
        return Promise.reject(
          new LedgerError('overloaded', `too many requests are waiting for a version ${scope}`, {
            retryAfterSeconds: waiterRetryAfterSeconds,
          }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          minVersion,
          resolve,
          reject,
          timer: timers.setTimeout(() => {
            remove(accountId, waiter);
            hooks.timedOut();
            reject(timeoutError(accountId, minVersion));
          }, timeoutMs),
        };
        waiters.add(waiter);
        byAccount.set(accountId, waiters);
        size += 1;
        hooks.waiting(size);
      });
    },

    notify(accountId, version) {
      const waiters = byAccount.get(accountId);
      if (waiters === undefined) return;
      for (const waiter of waiters) {
        if (waiter.minVersion > version) continue;
        timers.clearTimeout(waiter.timer);
        remove(accountId, waiter);
        waiter.resolve();
      }
    },

    closeAll(error) {
      closedWith = error;
      for (const [accountId, waiters] of byAccount) {
        for (const waiter of waiters) {
          timers.clearTimeout(waiter.timer);
          remove(accountId, waiter);
          waiter.reject(error);
        }
      }
    },

    get size() {
      return size;
    },
  };
}

function timeoutError(accountId: string, minVersion: number): LedgerError {
  return new LedgerError(
    'consistency_timeout',
    `account ${accountId} did not reach version ${minVersion} within the wait budget`,
  );
}

const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const noHooks: VersionWaitersHooks = {
  waiting: () => undefined,
  timedOut: () => undefined,
  refused: () => undefined,
};
