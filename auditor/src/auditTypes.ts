import type { AccountChange, EventType, LedgerEvent, SettlementAction } from '@ledger/schemas';
import type { AuditLimits } from './auditLimits.ts';
import type { AccountLife, EntryMark } from './lifecycleTypes.ts';
export type { AccountLife, EntryMark, FrozenSpan, VersionMark } from './lifecycleTypes.ts';

/** Where an event sits in the log. Offsets are decimal strings, as Kafka clients give them. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** An event as a violation names it. */
export interface EventRef extends LogPosition {
  readonly eventId: string;
  readonly eventType: EventType | 'undecodable';
}

/** One decoded event handed to checkEvent, with where and when (the reader's clock) it was read. */
export interface AuditInput {
  readonly position: LogPosition;
  readonly event: LedgerEvent;
  readonly receivedAtMs: number;
}

export type ViolationKind =
  /** The bytes are not a LedgerEvent of a registered schema (reported by the shell). */
  | 'undecodable'
  /** Another event (other content) under an event id already read. */
  | 'event_id_reused'
  | 'transfer_posted_twice'
  /** A posting whose legs do not name its two accounts, or a non-positive amount. */
  | 'malformed_transfer'
  | 'account_opened_twice'
  /** An AccountOpened not at version 1 with balance 0. */
  | 'opening_state'
  /** A leg with a version its account already has (or below 2, the first after opening). */
  | 'version_reused'
  /** A version that never arrived: an account's next leg waits for one that is not in the log. */
  | 'version_gap'
  | 'currency_mismatch'
  /** A leg whose balance after is not the running balance moved by the transfer's amount. */
  | 'balance_mismatch'
  | 'overdraft_exceeded'
  /** A leg whose held amount after is not the running held moved by the entry (or is below 0). */
  | 'held_mismatch'
  /** An entry leaving balance − held below minus the overdraft limit (what holds reserved). */
  | 'available_below_overdraft'
  /** A second settlement (PendingPosted or PendingVoided) of one pending transfer. */
  | 'pending_settled_twice'
  /** A settlement of a transfer no TransferPending (read before its entry) holds. */
  | 'settlement_without_pending'
  /** A settlement on other accounts or currency than its hold, or releasing another amount. */
  | 'settlement_mismatch'
  /** A PendingPosted moving more than was pending. */
  | 'post_exceeds_pending'
  /** A PendingPosted decided at or after its hold's expiresAt. */
  | 'posted_after_expiry'
  /** The final balances of a currency do not sum to zero. */
  | 'unbalanced_total'
  /** An AccountChanged of an account not opened before it (in its decision order). */
  | 'change_without_account'
  /** An AccountChanged whose revision is above the account's previous revision + 1. */
  | 'revision_gap'
  /** An AccountChanged whose revision is at or below the account's previous revision. */
  | 'revision_reused'
  /** A change its status before does not allow, or a status after that is not the change's. */
  | 'invalid_transition'
  /** A close whose version is not one at which the account held balance 0 and nothing pending. */
  | 'closed_with_balance'
  /** An entry that moves money or holds at a version where its account was frozen or closed. */
  | 'account_not_open'
  /**
   * An AccountChanged whose version is below an entry decided before it in the account's order,
   * or not below one decided after it, or never reached by the account.
   */
  | 'change_version_mismatch'
  /** An AccountChangeRejected whose code the account's state at its decision contradicts. */
  | 'change_rejection_mismatch'
  /** A reversal of no posted transfer, or not along its path reversed. */
  | 'reversal_unmatched'
  /** A transfer's reversals together take back more than its amount. */
  | 'reversal_exceeds_transfer'
  /** A link's hash is not the hash of its content after its predecessor's: changed after linking. */
  | 'chain_hash_mismatch'
  /** A second event at a sequence of a chain. */
  | 'chain_broken'
  /** A chain link whose predecessor is not in the log: events were dropped. */
  | 'chain_gap'
  /** A chain that does not hold the head an earlier signed audit recorded. */
  | 'chain_anchor_mismatch';

/**
 * What was wrong. `expected` and `found` never contain an account id: `accountId` carries it so
 * the shell can mask it (runtime's maskAccountId) before printing.
 */
export interface Violation {
  readonly kind: ViolationKind;
  /** The offending event; undefined for a total over the whole log. */
  readonly event: EventRef | undefined;
  readonly accountId?: string;
  readonly expected: string;
  readonly found: string;
}

export type CheckResult =
  | { readonly outcome: 'ok'; readonly state: AuditState }
  | { readonly outcome: 'violation'; readonly violation: Violation }
  /** A limit of AuditLimits was reached: nothing is proven wrong, the run cannot go on. */
  | { readonly outcome: 'limit'; readonly limit: keyof AuditLimits; readonly detail: string };

/**
 * One entry on one account, waiting until its account reaches the version before it: a posting's
 * debit or credit, a hold, or a hold's release (a posted hold's debit both moves and releases).
 */
export interface PendingLeg {
  readonly version: number;
  readonly side: 'debit' | 'credit' | 'hold' | 'release';
  readonly transferId: string;
  /** Signed: −amount for a debit, +amount for a credit, 0 for a hold or a release. */
  readonly delta: bigint;
  /** Signed change of the held amount: +amount for a hold, −the pending amount on its release. */
  readonly heldDelta: bigint;
  readonly currency: string;
  readonly balanceAfter: bigint;
  /** The leg's heldAfter, 0 when absent (events before v3, when nothing was ever held). */
  readonly heldAfter: bigint;
  /** On the debit leg of a settlement: checked against its hold when the leg is applied. */
  readonly settles?: SettlementClaim;
  readonly ref: EventRef;
  readonly receivedAtMs: number;
}

export interface AccountBook {
  /** Undefined until its AccountOpened is read. */
  opened: { readonly currency: string; readonly overdraftLimit: bigint } | undefined;
  /** The last version applied: 0 before the opening, 1 after it. */
  version: number;
  balance: bigint;
  /** What the account's pending transfers hold after the last version applied. */
  held: bigint;
  readonly pending: Map<number, PendingLeg>;
  /** Status and revision in decision order (lifecycleChecks.ts); undefined until it opens. */
  life: AccountLife | undefined;
  /**
   * Its highest-versioned entry seen (in decision order) outside its own order: a credit from
   * another chain, which a later close or freeze at a lower version must answer for.
   */
  unordered: EntryMark | undefined;
}

export interface PostedTransfer {
  /** `<event id>@<partition>:<offset>` of the posting. */
  readonly at: string;
  readonly amount: bigint;
  /** The path its reversals must take (reversalChecks.ts `reversedPath`). */
  readonly reversedPath: string;
  /** What its reversals read so far took back. */
  reversed: bigint;
}

/** The reversals of one transfer read before it: their path and their summed amount. */
export interface WaitingReversal {
  readonly path: string;
  readonly amount: bigint;
  /** The first of them, reported if they turn out wrong. */
  readonly ref: EventRef;
}

/** A pending transfer (TransferPending): what its one settlement must match. */
export interface PendingTransfer {
  /** `<event id>@<partition>:<offset>` of the hold. */
  readonly at: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly currency: string;
  readonly amount: bigint;
  /** The hold's entry on fromAccountId: its settlement must be a later one. */
  readonly version: number;
  readonly expiresAt: number | undefined;
  /** `<event id>@<partition>:<offset>` of its settlement; undefined while it is pending. */
  settledBy: string | undefined;
}

/** What a PendingPosted or PendingVoided says about the pending transfer it settles. */
export interface SettlementClaim {
  readonly action: SettlementAction;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly currency: string;
  /** What it moved (PendingPosted.amount); 0 for a void or an expiry. */
  readonly posted: bigint;
  /** What it released: PendingPosted.pendingAmount, PendingVoided.amount. */
  readonly released: bigint;
  /** The event's occurredAt: the decision's clock, the one a post is refused by after expiry. */
  readonly occurredAt: number;
}

export interface CurrencyTotals {
  transfers: number;
  amount: bigint;
}

/**
 * Everything the audit remembers. Owned by the caller and updated in place by checkEvent (a copy
 * per event would make a run quadratic); after a violation or a limit it must not be used again.
 */
export interface AuditState {
  readonly limits: AuditLimits;
  readonly accounts: Map<string, AccountBook>;
  /** Accounts with at least one pending leg. */
  readonly waiting: Set<string>;
  pendingLegs: number;
  /** Event id → `<content digest>@<partition>:<offset>` of its first reading. */
  readonly eventIds: Map<string, string>;
  /** Transfer id → its posting, with what a reversal of it must match. */
  readonly postedTransfers: Map<string, PostedTransfer>;
  /** Reversals read before the transfer they reverse, by that transfer's id (reversalChecks.ts). */
  readonly pendingReversals: Map<string, WaitingReversal>;
  /** Transfer id → its hold, open or settled (pendingChecks.ts); bounded by pendingTransfersMax. */
  readonly pendingTransfers: Map<string, PendingTransfer>;
  /** First readings per event type (identical duplicates are counted apart). */
  readonly eventsByType: Map<EventType, number>;
  readonly postedByCurrency: Map<string, CurrencyTotals>;
  /** Sum of the applied balances per currency: 0 whenever no leg is pending. */
  readonly balanceSumByCurrency: Map<string, bigint>;
  /** Applied account changes (AccountChanged) by change. */
  readonly accountChanges: Map<AccountChange, number>;
  identicalDuplicates: number;
  /** Hash chains by chain number (a ledger.commands partition): chainChecks.ts. */
  readonly chains: Map<number, ChainBook>;
  /** Chain links waiting for their predecessor; bounded with pending legs by pendingLegsMax. */
  heldLinks: number;
  /** Events without a chain link (written before chains existed). */
  unchainedEvents: number;
  /** Heads an earlier signed summary recorded: the log must hold the same hash at each. */
  readonly anchors: ReadonlyMap<number, ChainAnchor>;
}

export interface ChainAnchor {
  readonly sequence: number;
  readonly hash: string;
}

export interface ChainBook {
  /** The last link verified in order; 0 before the first. */
  sequence: number;
  /** Its hash; the genesis hash before the first. */
  hash: string;
  /** Links read ahead of their predecessor, by sequence, with their events (to hash later). */
  readonly held: Map<number, HeldLink>;
}

export interface HeldLink {
  readonly event: LedgerEvent;
  readonly ref: EventRef;
  /** When it was read (the reader's clock): a follower declares a gap only after a wait. */
  readonly receivedAtMs: number;
}

export function createAuditState(
  limits: AuditLimits,
  anchors: ReadonlyMap<number, ChainAnchor> = new Map(),
): AuditState {
  return {
    limits,
    accounts: new Map(),
    waiting: new Set(),
    pendingLegs: 0,
    eventIds: new Map(),
    postedTransfers: new Map(),
    pendingReversals: new Map(),
    pendingTransfers: new Map(),
    eventsByType: new Map(),
    postedByCurrency: new Map(),
    balanceSumByCurrency: new Map(),
    accountChanges: new Map(),
    identicalDuplicates: 0,
    chains: new Map(),
    heldLinks: 0,
    unchainedEvents: 0,
    anchors,
  };
}

export const ok = (state: AuditState): CheckResult => ({ outcome: 'ok', state });

export const violated = (violation: Violation): CheckResult => ({
  outcome: 'violation',
  violation,
});

export function refOf(input: AuditInput): EventRef {
  return { ...input.position, eventId: input.event.eventId, eventType: input.event.payload.type };
}

/** `p:o`, how positions are written in messages and remembered. */
export const positionText = (position: LogPosition): string =>
  `${position.partition}:${position.offset}`;
