import type { AccountStatus } from '@ledger/schemas';
import type { EventRef } from './auditTypes.ts';

/**
 * An account's settings as its own events decided them (AccountOpened, AccountChanged), and where
 * they sit among its entries. Its changes are keyed by it, like its debits, holds and their
 * settlements, so all of them are in one decision order (its chain); credits from other debtors
 * may be in other chains, ordered against its changes by versions alone (accountStatusChecks.ts).
 */
export interface AccountLife {
  status: AccountStatus;
  /** 1 at opening, + 1 per AccountChanged. */
  revision: number;
  /** Where its own events are decided in order: `c<chain>`, or `p<partition>` before chains. */
  home: string;
  /** The highest version of its entries and changes decided before now in that order. */
  orderedVersion: number;
  /** Its latest change: every entry decided after it in its order has a higher version. */
  changed: VersionMark | undefined;
  /** While frozen: the freeze, and what has been decided since (undefined when not frozen). */
  frozen: FrozenSpan | undefined;
  /** Its close: no entry may have a higher version; its balance at that version is 0. */
  closed: VersionMark | undefined;
}

/** A change at the account's version `version` (AccountChanged.version). */
export interface VersionMark {
  readonly version: number;
  readonly ref: EventRef;
}

/** One entry on an account, remembered to be named in a violation found later. */
export interface EntryMark extends VersionMark {
  readonly transferId: string;
  readonly side: 'debit' | 'credit' | 'hold' | 'release';
}

/**
 * A freeze not yet ended: blocked are the versions above `since`. `releases` counts the account's
 * own releases decided since (the only entries a frozen account takes); `witness` is the lowest
 * entry above `since` seen from another chain, named if the span turns out to hold it.
 */
export interface FrozenSpan {
  readonly since: number;
  readonly ref: EventRef;
  releases: number;
  witness: EntryMark | undefined;
}
