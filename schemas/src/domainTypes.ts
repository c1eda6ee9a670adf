import type { AccountOpenRejectionCode, TransferRejectionCode } from '@ledger/runtime';

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
}

export type CommandPayload = OpenAccount | Transfer;
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

export type { AccountOpenRejectionCode, TransferRejectionCode };

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

/** One side of a posting: the account's state right after it. */
export interface Leg {
  readonly accountId: string;
  /** May be negative, down to minus the account's overdraft limit. */
  readonly balanceAfter: bigint;
  readonly version: number;
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

export type EventPayload = AccountOpened | TransferPosted | TransferRejected | AccountOpenRejected;
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
  readonly version: number;
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
