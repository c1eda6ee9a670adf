import { AssertionFailure, assert } from '@ledger/runtime';
import { AccountEntry, intern, internedLengthMax } from './accountEntry.ts';

/**
 * Where the cache keeps its entries (a target: 1M cached balances in < 512 MB RSS,
 * docs/architecture.md): in columns indexed by a slot number, not as one object per account. An
 * AccountEntry object with its boxed creation time and balance text measured ~135 bytes on the heap
 * per account; here an account costs 36 bytes of columns:
 *
 * - `versions`, `balances`, `availables`, `createdAtMs`: Float64Array (off the JS heap, never
 *   scanned by the GC). A balance (and an available balance, balance − held) is kept as a number
 *   only while it is a safe integer whose decimal text reads back the same; wider ones
 *   (numeric(38, 0) allows them) keep their text in `wideBalances` / `wideAvailables`. A read
 *   of an account that holds nothing (available = balance) serves the balance's text for both.
 *   A creation time of NaN means the opening is not projected yet.
 * - `profiles`: one pointer to the account's currency, status, overdraft limit and metadata and
 *   the revision those are at, shared by every account with the same five (nearly all of them:
 *   `USD`, `open`, `0`, `{}`, revision 1). An account changed since its opening (a later
 *   revision) usually has metadata of its own anyway.
 *
 * The account id is not here: the cache's index holds it once, as its key. `read` builds a
 * short-lived AccountEntry for a caller; the columns themselves are never handed out, so an
 * entry a caller holds does not change under it when the slot is written again.
 *
 * Capacity grows by doubling up to `slotsMax`; freed slots are reused first.
 */
export interface EntryColumns {
  /** A free slot, written with `entry`. Asserts when all `slotsMax` slots are in use. */
  insert(entry: AccountEntry): number;
  /** Overwrites a slot in use with a newer state of its account. */
  write(slot: number, entry: AccountEntry): void;
  /** The slot's account as an AccountEntry under `accountId` (the id the slot is indexed by). */
  read(slot: number, accountId: string): AccountEntry;
  version(slot: number): number;
  /** The revision of the slot's status and metadata. */
  revision(slot: number): number;
  free(slot: number): void;
  /** Slots in use. */
  readonly size: number;
  /** Slots allocated (in use, free, or never used yet) for tests and sizing. */
  readonly capacity: number;
}

/** What every account with the same currency, settings and revision shares (see `profiles`). */
interface Profile {
  readonly currency: string;
  readonly revision: number;
  readonly overdraftLimitText: string | undefined;
  readonly status: string | undefined;
  readonly metadataJson: string | undefined;
}

/** Slots allocated at first; doubled on demand up to slotsMax. */
export const initialSlots = 1_024;
/** Distinct shared profiles; past this bound new ones are kept per account (correct, larger). */
export const sharedProfilesMax = 4_096;

export function createEntryColumns(slotsMax: number): EntryColumns {
  assert(Number.isSafeInteger(slotsMax) && slotsMax >= 1, 'slotsMax must be a positive integer');
  let capacity = Math.min(initialSlots, slotsMax);
  let versions = new Float64Array(capacity);
  let balances = new Float64Array(capacity);
  let availables = new Float64Array(capacity);
  let createdAtMs = new Float64Array(capacity);
  const profiles: (Profile | undefined)[] = [];
  const wideBalances = new Map<number, string>();
  const wideAvailables = new Map<number, string>();
  const freeSlots: number[] = [];
  let used = 0; // slots [0, used) have been handed out at least once

  function grow(): void {
    const next = Math.min(capacity * 2, slotsMax);
    assert(next > capacity, `all ${slotsMax} entry slots are in use`);
    versions = copied(versions, next);
    balances = copied(balances, next);
    availables = copied(availables, next);
    createdAtMs = copied(createdAtMs, next);
    capacity = next;
  }

  // On the read path: the message is built only when the assertion fails.
  function profileInUse(slot: number): Profile {
    const profile = profiles[slot];
    if (profile === undefined) throw new AssertionFailure(`slot ${slot} is not in use`);
    return profile;
  }

  function store(slot: number, entry: AccountEntry): void {
    versions[slot] = entry.version;
    putAmount(balances, wideBalances, slot, entry.balanceText);
    putAmount(availables, wideAvailables, slot, entry.availableText);
    createdAtMs[slot] = entry.createdAtMs ?? Number.NaN;
    const current = profiles[slot];
    profiles[slot] =
      current !== undefined && sameProfile(current, entry) ? current : profileOf(entry);
  }

  return {
    insert(entry) {
      let slot = freeSlots.pop();
      if (slot === undefined) {
        if (used === capacity) grow();
        slot = used;
        used += 1;
      }
      profiles[slot] = undefined;
      store(slot, entry);
      return slot;
    },
    write(slot, entry) {
      profileInUse(slot);
      store(slot, entry);
    },
    read(slot, accountId) {
      const profile = profileInUse(slot);
      const balance = balances[slot] ?? Number.NaN;
      const available = availables[slot] ?? Number.NaN;
      const created = createdAtMs[slot] ?? Number.NaN;
      const balanceText = Number.isNaN(balance) ? wideBalances.get(slot) : String(balance);
      if (balanceText === undefined) throw new AssertionFailure(`slot ${slot} lost its balance`);
      // Nothing held (the usual case): the balance's string serves both, no second conversion.
      const availableText = Number.isNaN(available)
        ? wideAvailables.get(slot)
        : available === balance
          ? balanceText
          : String(available);
      if (availableText === undefined) {
        throw new AssertionFailure(`slot ${slot} lost its available balance`);
      }
      return new AccountEntry(
        accountId,
        profile.currency,
        balanceText,
        availableText,
        versions[slot] ?? 0,
        profile.revision,
        profile.overdraftLimitText,
        profile.status,
        Number.isNaN(created) ? undefined : created,
        profile.metadataJson,
      );
    },
    version: (slot) => versions[slot] ?? 0,
    revision: (slot) => profileInUse(slot).revision,
    free(slot) {
      profileInUse(slot);
      profiles[slot] = undefined;
      wideBalances.delete(slot);
      wideAvailables.delete(slot);
      freeSlots.push(slot);
    },
    get size() {
      return used - freeSlots.length;
    },
    get capacity() {
      return capacity;
    },
  };
}

/**
 * An amount's text into its column: as a number while it is a safe integer whose text reads back
 * the same, else NaN there and the text in `wide`.
 */
function putAmount(column: Float64Array, wide: Map<number, string>, slot: number, text: string) {
  const value = Number(text);
  if (Number.isSafeInteger(value) && String(value) === text) {
    column[slot] = value;
    wide.delete(slot);
  } else {
    column[slot] = Number.NaN;
    wide.set(slot, text);
  }
}

function copied(from: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const to = new Float64Array(length);
  to.set(from);
  return to;
}

function sameProfile(profile: Profile, entry: AccountEntry): boolean {
  return (
    profile.currency === entry.currency &&
    profile.revision === entry.revision &&
    profile.overdraftLimitText === entry.overdraftLimitText &&
    profile.status === entry.status &&
    profile.metadataJson === entry.metadataJson
  );
}

const sharedProfiles = new Map<string, Profile>();

/** The shared profile for the entry's five fields, or one of its own when it cannot be shared. */
function profileOf(entry: AccountEntry): Profile {
  const profile: Profile = {
    currency: intern(entry.currency),
    revision: entry.revision,
    overdraftLimitText: entry.overdraftLimitText && intern(entry.overdraftLimitText),
    status: entry.status && intern(entry.status),
    metadataJson: entry.metadataJson && intern(entry.metadataJson),
  };
  // Long metadata (names in it) is rarely shared: such profiles do not take a place.
  if ((profile.metadataJson?.length ?? 0) > internedLengthMax) return profile;
  const key = `${profile.currency}\u0000${profile.revision}\u0000${profile.overdraftLimitText ?? ''}\u0000${profile.status ?? ''}\u0000${profile.metadataJson ?? '\u0001'}`;
  const known = sharedProfiles.get(key);
  if (known !== undefined) return known;
  if (sharedProfiles.size < sharedProfilesMax) sharedProfiles.set(key, profile);
  return profile;
}
