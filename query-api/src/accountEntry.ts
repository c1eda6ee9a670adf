import { assert } from '@ledger/runtime';
import {
  availableOf,
  revisionOf,
  type AccountDetails,
  type BalanceSnapshot,
  type CachedAccount,
} from './accountModel.ts';

/**
 * One account as the cache hands it to readers and takes it from loaders and the feed. The cache
 * does not keep these objects: it stores their fields in columns (entryColumns.ts) and builds a
 * fresh one per read, so an entry a caller holds is an immutable snapshot. The fields are in the
 * form they are served in:
 *
 * - the balance as the decimal text it is served as (from Postgres' `balance::text`, or a feed
 *   change's bigint turned into text once per change), never turned back into a bigint on a read;
 *   the available balance (balance − held) likewise, the balance's own string when nothing is
 *   held;
 * - currency, status, overdraft limit and metadata as strings interned in a small bounded table
 *   (nearly every account shares `USD`, `open`, `0` and `{}`);
 * - the opening time as epoch milliseconds (a number, not a 24-character string).
 *
 * A newer version yields a new entry (`withBalance`); a newer revision (changed status or
 * metadata) is not applied to an entry: the cache drops it and loads the account again.
 */
export class AccountEntry implements CachedAccount {
  constructor(
    readonly accountId: string,
    readonly currency: string,
    /** Decimal digits of the balance in minor units, with a leading '-' when negative. */
    readonly balanceText: string,
    /** The available balance (balance − held), as balanceText; that string when nothing is held. */
    readonly availableText: string,
    readonly version: number,
    /** The revision the status and metadata below are at (1 when opened; see accountModel.ts). */
    readonly revision: number,
    /** The opening's fields; all undefined together while it is not projected yet. */
    readonly overdraftLimitText: string | undefined,
    readonly status: string | undefined,
    readonly createdAtMs: number | undefined,
    /** The metadata object as JSON text, as served. */
    readonly metadataJson: string | undefined,
  ) {}

  get balance(): bigint {
    return BigInt(this.balanceText);
  }

  get available(): bigint {
    return BigInt(this.availableText);
  }

  get hasDetails(): boolean {
    return this.status !== undefined;
  }

  /** Built on demand (routes write the stored text directly; see responseBodies.ts). */
  get details(): AccountDetails | undefined {
    if (
      this.overdraftLimitText === undefined ||
      this.status === undefined ||
      this.createdAtMs === undefined ||
      this.metadataJson === undefined
    ) {
      return undefined;
    }
    return {
      overdraftLimit: BigInt(this.overdraftLimitText),
      status: this.status,
      createdAt: new Date(this.createdAtMs).toISOString(),
      metadata: JSON.parse(this.metadataJson) as Record<string, string>,
    };
  }

  /**
   * The same account at a newer balance and version (a change from the feed), its details and
   * their revision as they were. A change without `available` (a writer before holds) holds
   * nothing: available is its balance.
   */
  withBalance(change: BalanceSnapshot): AccountEntry {
    const balanceText = change.balance.toString();
    return new AccountEntry(
      this.accountId,
      intern(change.currency),
      balanceText,
      textOfAvailable(change, balanceText),
      change.version,
      this.revision,
      this.overdraftLimitText,
      this.status,
      this.createdAtMs,
      this.metadataJson,
    );
  }

  /** The same balance, version and revision with the opening's fields filled in. */
  withDetails(details: AccountDetails): AccountEntry {
    const opened = openingOf(details);
    return new AccountEntry(
      this.accountId,
      this.currency,
      this.balanceText,
      this.availableText,
      this.version,
      this.revision,
      opened.overdraftLimitText,
      opened.status,
      opened.createdAtMs,
      opened.metadataJson,
    );
  }
}

/** The opening's fields as an entry holds them (interned text, epoch milliseconds). */
type Opening = Pick<AccountEntry, 'overdraftLimitText' | 'status' | 'createdAtMs' | 'metadataJson'>;

/** What a row of the read model holds, as text where it is served as text. */
export interface AccountColumns {
  readonly accountId: string;
  readonly currency: string;
  readonly balanceText: string;
  /** balance − held, as text (Postgres' `(balance - held)::text`). */
  readonly availableText: string;
  readonly version: number;
  /** `accounts.revision`: what status and metadata are at. */
  readonly revision: number;
  readonly opening:
    | {
        readonly overdraftLimitText: string;
        readonly status: string;
        readonly createdAtMs: number;
        readonly metadataJson: string;
      }
    | undefined;
}

export function accountEntryOf(columns: AccountColumns): AccountEntry {
  const { opening } = columns;
  return new AccountEntry(
    columns.accountId,
    intern(columns.currency),
    columns.balanceText,
    columns.availableText,
    columns.version,
    columns.revision,
    opening && intern(opening.overdraftLimitText),
    opening && intern(opening.status),
    opening?.createdAtMs,
    opening && intern(opening.metadataJson),
  );
}

/** An entry for any account view (a loader may return plain objects: tests, other read models). */
export function toAccountEntry(account: CachedAccount): AccountEntry {
  if (account instanceof AccountEntry) return account;
  const balanceText = account.balance.toString();
  const base = new AccountEntry(
    account.accountId,
    intern(account.currency),
    balanceText,
    textOfAvailable(account, balanceText),
    account.version,
    revisionOf(account),
    undefined,
    undefined,
    undefined,
    undefined,
  );
  return account.details === undefined ? base : base.withDetails(account.details);
}

/** The available balance as text: the balance's own string when nothing is held. */
function textOfAvailable(snapshot: BalanceSnapshot, balanceText: string): string {
  const available = availableOf(snapshot);
  return available === snapshot.balance ? balanceText : available.toString();
}

function openingOf(details: AccountDetails): Opening {
  const createdAtMs = Date.parse(details.createdAt);
  assert(Number.isFinite(createdAtMs), `createdAt ${details.createdAt} is not a timestamp`);
  return {
    overdraftLimitText: intern(details.overdraftLimit.toString()),
    status: intern(details.status),
    createdAtMs,
    metadataJson: intern(JSON.stringify(details.metadata)),
  };
}

/**
 * Distinct short strings shared by all entries. Bounded: once full, new values are stored as
 * they come (correct, only not shared). Long strings (metadata with names in it) are rarely
 * shared, so they do not take a place.
 */
export const internedStringsMax = 4_096;
export const internedLengthMax = 64;
const interned = new Map<string, string>();

export function intern(value: string): string {
  if (value.length > internedLengthMax) return value;
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < internedStringsMax) interned.set(value, value);
  return value;
}
