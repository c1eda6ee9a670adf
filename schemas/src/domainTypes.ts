import type {
  AccountChangeRejectionCode,
  AccountOpenRejectionCode,
  SettlementRejectionCode,
  TransferRejectionCode,
} from '@ledger/runtime';

/**
 * The messages of the ledger as the services handle them: amounts are bigint (never a JS number),
 * unions are discriminated by `type`, longs are safe-integer numbers (see fieldRules.ts for why).
 * The converters map these to the Avro records of avro/*.avsc and back.
 */

/** Milliseconds since the Unix epoch, UTC (Avro timestamp-millis). */
export type EpochMillis = number;

/** At most 16 keys; see metadataLimits.ts. */
export type Metadata = Readonly<Record<string, string>>;

// ---- commands (topic <prefix>.commands) ----

export interface OpenAccount {
  readonly type: 'OpenAccount';
  readonly accountId: string;
  readonly currency: string;
  /** The balance may go down to minus this; 0 for a customer account. */
  readonly overdraftLimit: bigint;
  readonly metadata: Metadata;
}

export interface Transfer {
  readonly type: 'Transfer';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  /** Minor units, 1 to 2^63-1. */
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /**
   * Present on a reversal (POST /v1/transfers/{id}/reverse): the transfer it takes money back
   * from, whose accounts it swaps. Absent on an ordinary transfer (null on the wire, v2 on).
   */
  readonly reversalOf?: string;
  /**
   * Present on a pending transfer (a hold, `"pending": true`, v3 on): its amount is reserved on
   * fromAccountId until a SettlePending posts, voids or expires it. Never with reversalOf.
   */
  readonly pending?: PendingTerms;
}

/** What makes a transfer pending. */
export interface PendingTerms {
  /** 1 to pendingTimeoutSecondsMax after its decision; absent: it never expires. */
  readonly timeoutSeconds?: number;
}

/** How a pending transfer is settled: by a client (post, void) or by the expiry sweep (expire). */
export type SettlementAction = 'post' | 'void' | 'expire';

/**
 * Settles a pending transfer (v3 on). Keyed, like the transfer, by its fromAccountId, so the one
 * processor that decided the hold decides its settlement; the accounts are the pending transfer's,
 * restated so the processor can lock them before it reads the transfer.
 */
export interface SettlePending {
  readonly type: 'SettlePending';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly action: SettlementAction;
  /** post only: minor units to post, 1 to the pending amount; absent: the whole amount. */
  readonly amount?: bigint;
  /** expire only (required there): the sweep's time, by which the transfer must have expired. */
  readonly asOf?: EpochMillis;
}

/**
 * A lifecycle or settings change of an account (ChangeAccount.change, v4 on): freeze (open →
 * frozen), unfreeze (frozen → open), close (open or frozen → closed, only when empty; final) or
 * update_metadata (replaces the whole metadata map of an open or frozen account).
 */
export type AccountChange = 'freeze' | 'unfreeze' | 'close' | 'update_metadata';

/** An account's status; frozen and closed accounts take no postings and no new holds. */
export type AccountStatus = 'open' | 'frozen' | 'closed';

/**
 * Changes an account (v4 on). Keyed by accountId, so the processor that decides the account's
 * postings decides its changes in log order with them. Each accepted change raises the account's
 * revision (its settings version) by 1; its version (+1 per entry) is untouched.
 */
export interface ChangeAccount {
  readonly type: 'ChangeAccount';
  readonly accountId: string;
  readonly change: AccountChange;
  /** update_metadata only (required there): the whole new map. */
  readonly metadata?: Metadata;
  /** Optimistic concurrency: refused with revision_conflict unless the current revision. */
  readonly expectedRevision?: number;
}

export type CommandPayload = OpenAccount | Transfer | SettlePending | ChangeAccount;
export type CommandType = CommandPayload['type'];

/** The envelope every command travels in; `payload` is what the decider decides on. */
export interface LedgerCommand<Payload extends CommandPayload = CommandPayload> {
  readonly commandId: string;
  readonly idempotencyKey: string;
  /** Lower-case hex SHA-256 of the canonical request (see requestHash.ts). */
  readonly requestHash: string;
  readonly receivedAt: EpochMillis;
  readonly traceparent: string | null;
  readonly payload: Payload;
}

// ---- events (topic <prefix>.events) ----

export type {
  AccountChangeRejectionCode,
  AccountOpenRejectionCode,
  SettlementRejectionCode,
  TransferRejectionCode,
};

export interface AccountOpened {
  readonly type: 'AccountOpened';
  readonly accountId: string;
  readonly currency: string;
  readonly overdraftLimit: bigint;
  readonly metadata: Metadata;
  /** 1: versions start at 1 when the account opens. */
  readonly version: number;
  /** 0n: accounts open empty and are funded by transfers. */
  readonly balance: bigint;
}

/** One side of an entry (a posting, a hold or its release): the account's state right after it. */
export interface Leg {
  readonly accountId: string;
  /** May be negative, down to minus the account's overdraft limit. */
  readonly balanceAfter: bigint;
  readonly version: number;
  /**
   * What the account's pending transfers hold right after the entry (v3 on; absent before, when
   * nothing was ever held). available = balanceAfter − heldAfter ≥ −overdraftLimit.
   */
  readonly heldAfter?: bigint;
}

export interface TransferPosted {
  readonly type: 'TransferPosted';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /** The fromAccountId side (its balance went down by `amount`). */
  readonly debit: Leg;
  /** The toAccountId side (its balance went up by `amount`). */
  readonly credit: Leg;
  /** Present when this posting reverses (part of) that transfer. */
  readonly reversalOf?: string;
}

export interface TransferRejected {
  readonly type: 'TransferRejected';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly code: TransferRejectionCode;
  /** Present when the rejected transfer was a reversal of that transfer. */
  readonly reversalOf?: string;
}

/** An OpenAccount that conflicts with an existing account: auditors see every decided command. */
export interface AccountOpenRejected {
  readonly type: 'AccountOpenRejected';
  readonly accountId: string;
  readonly code: AccountOpenRejectionCode;
}

/** A pending transfer was decided: `amount` is held on fromAccountId, its balance unchanged. */
export interface TransferPending {
  readonly type: 'TransferPending';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /** fromAccountId's entry: heldAfter rose by amount. */
  readonly debit: Leg;
  /** When it expires if still pending; absent: never. */
  readonly expiresAt?: EpochMillis;
}

/** A pending transfer was posted: `amount` moved and all of `pendingAmount` was released. */
export interface PendingPosted {
  readonly type: 'PendingPosted';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  /** 1 to pendingAmount. */
  readonly amount: bigint;
  readonly pendingAmount: bigint;
  readonly currency: string;
  readonly debit: Leg;
  readonly credit: Leg;
}

export type VoidReason = 'voided' | 'expired';

/** A pending transfer was voided or expired: its amount was released, nothing moved. */
export interface PendingVoided {
  readonly type: 'PendingVoided';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly reason: VoidReason;
  readonly debit: Leg;
}

/** A SettlePending was refused; the pending transfer is as it was. */
export interface SettlementRejected {
  readonly type: 'SettlementRejected';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly action: SettlementAction;
  /** The amount a refused post asked for; absent: the whole amount, or not a post. */
  readonly amount?: bigint;
  readonly code: SettlementRejectionCode;
}

/** A ChangeAccount was applied: the account's settings right after it (balance, version as were). */
export interface AccountChanged {
  readonly type: 'AccountChanged';
  readonly accountId: string;
  readonly change: AccountChange;
  /** After the change: freeze → frozen, unfreeze → open, close → closed, update_metadata → as was. */
  readonly status: AccountStatus;
  /** The whole map after the change. */
  readonly metadata: Metadata;
  /** After the change: 2 or more (an account opens at revision 1). */
  readonly revision: number;
  /**
   * The account's version (entries) at the change, unchanged by it: orders the change among the
   * account's entries, including credits decided by other partitions.
   */
  readonly version: number;
}

/** A ChangeAccount was refused; the account is as it was. */
export interface AccountChangeRejected {
  readonly type: 'AccountChangeRejected';
  readonly accountId: string;
  readonly change: AccountChange;
  readonly code: AccountChangeRejectionCode;
}

export type EventPayload =
  | AccountOpened
  | TransferPosted
  | TransferRejected
  | AccountOpenRejected
  | TransferPending
  | PendingPosted
  | PendingVoided
  | SettlementRejected
  | AccountChanged
  | AccountChangeRejected;
export type EventType = EventPayload['type'];

export interface LedgerEvent<Payload extends EventPayload = EventPayload> {
  readonly eventId: string;
  /** The command this event decides: exactly one event per decided command. */
  readonly commandId: string;
  readonly occurredAt: EpochMillis;
  readonly payload: Payload;
  /** Its link in its partition's hash chain (eventChain.ts); absent on events before v2. */
  readonly chain?: ChainLink;
}

/** One link of a `ledger.events` hash chain (eventChain.ts). */
export interface ChainLink {
  /** The `ledger.commands` partition whose processor decided the event. */
  readonly chain: number;
  /** 1, 2, 3 … per chain, no gaps. */
  readonly sequence: number;
  /** Lower-case hex SHA-256 (32 bytes on the wire), chained: eventChain.ts. */
  readonly hash: string;
}

// ---- balances changelog (topic <prefix>.balances, compacted, key accountId) ----

export interface BalanceChanged {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: bigint;
  /**
   * balance minus what pending transfers hold (v2 on; absent from v1 writers, which knew no
   * holds: read it as `available ?? balance`).
   */
  readonly available?: bigint;
  readonly version: number;
  /**
   * The account's revision (its settings version) at this moment (v3 on; absent from older
   * writers, which knew only revision 1: read it as `revision ?? 1`).
   */
  readonly revision?: number;
  readonly updatedAt: EpochMillis;
}

// ---- dead letters (topic <prefix>.commands.dlq) ----

export interface DeadLetter {
  readonly originalTopic: string;
  readonly originalPartition: number;
  /** Decimal string, as kafkajs gives offsets (int64). */
  readonly originalOffset: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
  /** At most deadLetterReasonLengthMax characters; the producer also puts it in a header. */
  readonly reason: string;
  readonly failedAt: EpochMillis;
}
