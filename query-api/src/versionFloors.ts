import { assert } from '@ledger/runtime';

/**
 * The versions evicted cache entries had, so a reload can never serve a lower version than one
 * already served (balanceCache.ts). Bounded by `floorsMax`; past it the floor set longest ago is
 * forgotten first. A plain insertion-ordered Map rather than an LRU: floors are only raised and
 * deleted, never read for recency, and an LRU preallocates its index arrays for its whole bound
 * (28 bytes a slot, 28 MB for a million floors that an instance holding its working set never
 * uses); a Map grows with what it holds.
 */
export interface VersionFloors {
  peek(accountId: string): number | undefined;
  /** Remembers `version` unless a higher floor is known; refreshes the key's age. */
  raise(accountId: string, version: number): void;
  delete(accountId: string): void;
  readonly size: number;
}

export function createVersionFloors(floorsMax: number): VersionFloors {
  assert(floorsMax >= 1, 'floorsMax must be at least 1');
  const floors = new Map<string, number>();
  return {
    peek: (accountId) => floors.get(accountId),
    raise(accountId, version) {
      const floor = Math.max(version, floors.get(accountId) ?? 0);
      floors.delete(accountId); // re-inserted last: the newest floor is forgotten last
      floors.set(accountId, floor);
      if (floors.size > floorsMax) {
        const oldest = floors.keys().next();
        if (oldest.done !== true) floors.delete(oldest.value);
      }
    },
    delete(accountId) {
      floors.delete(accountId);
    },
    get size() {
      return floors.size;
    },
  };
}
