import type { AccountStatus } from './accountState.ts';
import {
  assertNever,
  type AccountChangeKind,
  type Metadata,
  type SettlementAction,
} from './commands.ts';
import type {
  AccountChangeRejectionCode,
  SettlementRejectionCode,
  TransferRejectionCode,
} from './rejectionCodes.ts';

/**
 * What the processor decided, as events for `ledger.events`: one per decided command, rejections
 * included, mirroring the wire union (schemas/avro/LedgerEvent.avsc) field for field. Each event
 * also carries its command's idempotency identity (key and request hash) so replaying the log
 * rebuilds not only balances but the idempotency state too (invariant 5, docs/architecture.md); the wire
 * mapping may drop them.
 *
 * Duplicates and idempotency conflicts are not events: they change nothing, and a
 * TransferRejected for a conflicting request would carry the transferId of the first one and
 * overwrite its status in every read model.
 */
export interface EventEnvelope {
  readonly eventId: string;
  readonly commandId: string;
  readonly occurredAtMs: number;
  readonly requestHash: string;
}

export interface AccountOpened extends EventEnvelope {
  readonly type: 'AccountOpened';
  readonly accountId: string;
  readonly currency: string;
  readonly overdraftLimit: bigint;
  readonly status: AccountStatus;
  readonly metadata: Metadata;
  /** Always 1 and 0n: stated so a consumer never has to know the opening rule. */
  readonly version: 1;
  readonly balance: 0n;
}

export interface AccountOpenRejected extends EventEnvelope {
  readonly type: 'AccountOpenRejected';
  readonly accountId: string;
  readonly code: 'account_exists';
}

/** One side of an entry: the account's balance, held amount and version right after it. */
export interface PostingLeg {
  readonly accountId: string;
  readonly balanceAfter: bigint;
  readonly heldAfter: bigint;
  readonly version: number;
}

export interface TransferPosted extends EventEnvelope {
  readonly type: 'TransferPosted';
  readonly transferId: string;
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  readonly debit: PostingLeg;
  readonly credit: PostingLeg;
  /** Set when this posting reverses (part of) that transfer. */
  readonly reversalOf?: string;
}

export interface TransferRejected extends EventEnvelope {
  readonly type: 'TransferRejected';
  readonly transferId: string;
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  readonly code: TransferRejectionCode;
  /** Set when the rejected transfer was a reversal of that transfer. */
  readonly reversalOf?: string;
}

/** A pending transfer was decided: `amount` is held on fromAccountId, its balance unchanged. */
export interface TransferPending extends EventEnvelope {
  readonly type: 'TransferPending';
  readonly transferId: string;
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  readonly debit: PostingLeg;
  /** occurredAtMs + timeoutSeconds; absent: it never expires. */
  readonly expiresAtMs?: number;
}

/** The id, accounts and currency of the pending transfer a settlement event is about. */
interface SettlementSubject extends EventEnvelope {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
}

/** A pending transfer was posted: `amount` moved, and all of `pendingAmount` was released. */
export interface PendingPosted extends SettlementSubject {
  readonly type: 'PendingPosted';
  readonly amount: bigint;
  readonly pendingAmount: bigint;
  readonly currency: string;
  readonly debit: PostingLeg;
  readonly credit: PostingLeg;
}

/** A pending transfer was voided or expired: its amount was released, nothing moved. */
export interface PendingVoided extends SettlementSubject {
  readonly type: 'PendingVoided';
  readonly amount: bigint;
  readonly currency: string;
  readonly reason: 'voided' | 'expired';
  readonly debit: PostingLeg;
}

/** A SettlePending was refused: the pending transfer is as it was. */
export interface SettlementRejected extends SettlementSubject {
  readonly type: 'SettlementRejected';
  readonly action: SettlementAction;
  readonly amount?: bigint;
  readonly code: SettlementRejectionCode;
}

/**
 * An account's settings changed: its status, its whole metadata map and its revision after the
 * change. Balance, held amount and version are untouched (a change is not an entry).
 */
export interface AccountChanged extends EventEnvelope {
  readonly type: 'AccountChanged';
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly change: AccountChangeKind;
  readonly status: AccountStatus;
  readonly metadata: Metadata;
  /** The account's revision after the change: ≥ 2, one more than before. */
  readonly revision: number;
  /**
   * The account's version (its entry count) at the change, which the change leaves as it was:
   * orders the change among the account's entries, credits decided by other partitions included.
   */
  readonly version: number;
}

/** A ChangeAccount was refused: the account is as it was. */
export interface AccountChangeRejected extends EventEnvelope {
  readonly type: 'AccountChangeRejected';
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly change: AccountChangeKind;
  readonly code: AccountChangeRejectionCode;
}

/** An event as the deciders emit it; the wire's is @ledger/schemas' LedgerEvent (wireMapping.ts). */
export type DomainEvent =
  | AccountOpened
  | AccountOpenRejected
  | TransferPosted
  | TransferRejected
  | TransferPending
  | PendingPosted
  | PendingVoided
  | SettlementRejected
  | AccountChanged
  | AccountChangeRejected;

/** The Kafka key of an event (docs/contract.md): the account it was decided for, i.e. its command's key. */
export function eventKey(event: DomainEvent): string {
  switch (event.type) {
    case 'AccountOpened':
    case 'AccountOpenRejected':
    case 'AccountChanged':
    case 'AccountChangeRejected':
      return event.accountId;
    case 'TransferPosted':
    case 'TransferRejected':
    case 'TransferPending':
    case 'PendingPosted':
    case 'PendingVoided':
    case 'SettlementRejected':
      return event.fromAccountId;
    default:
      return assertNever(event, 'event');
  }
}
