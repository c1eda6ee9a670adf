import type { BalanceSnapshot, CachedAccount } from '../src/accountModel.ts';

/** An account as the read model would return it. */
export function account(accountId: string, version: number, balance: bigint): CachedAccount {
  return {
    accountId,
    currency: 'USD',
    balance,
    version,
    details: {
      overdraftLimit: 0n,
      status: 'open',
      createdAt: '2026-01-15T09:30:00.000Z',
      metadata: { name: accountId },
    },
  };
}

/** A change as the feed would deliver it. */
export function change(accountId: string, version: number, balance: bigint): BalanceSnapshot {
  return { accountId, currency: 'USD', balance, version };
}

/** A promise with its resolve/reject in hand, for loads that finish when the test says. */
export function deferred<T>() {
  const handles: { resolve?: (value: T) => void; reject?: (error: unknown) => void } = {};
  const promise = new Promise<T>((resolve, reject) => {
    handles.resolve = resolve;
    handles.reject = reject;
  });
  return {
    promise,
    resolve: (value: T) => handles.resolve?.(value),
    reject: (error: unknown) => handles.reject?.(error),
  };
}

/** Lets every queued promise callback run (one macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** mulberry32: a small seeded generator, so a failing random sequence can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
