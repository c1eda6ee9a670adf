/**
 * The commands the processor decides, as plain data: the shape the command API produces after
 * validation (and that the wire schema carries), with amounts as bigint and time as epoch
 * milliseconds. `requestHash` is computed by the command API over the request's content, so the
 * processor compares hashes and never re-derives them (one canonical form, one owner).
 */
export type Metadata = Readonly<Record<string, string>>;

export interface CommandEnvelope {
  /** Time-ordered id given by the command API; one outcome is stored per command id. */
  readonly commandId: string;
  /**
   * Transfers: the Idempotency-Key header or the transferId. Openings: the accountId. Account
   * changes: the Idempotency-Key header or the commandId.
   */
  readonly idempotencyKey: string;
  /** SHA-256 hex of the canonical request content: same key, other hash = a conflict. */
  readonly requestHash: string;
  readonly receivedAtMs: number;
}

export interface OpenAccount extends CommandEnvelope {
  readonly type: 'OpenAccount';
  readonly accountId: string;
  readonly currency: string;
  /** The balance may go down to minus this; 0 for ordinary accounts. */
  readonly overdraftLimit: bigint;
  readonly metadata: Metadata;
}

export interface Transfer extends CommandEnvelope {
  readonly type: 'Transfer';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /**
   * Set on a reversal: the transfer it takes (part of) the amount back from. Its accounts are
   * that transfer's swapped and it may not take back more than is left (transferDecider.ts).
   */
  readonly reversalOf?: string;
  /**
   * Set on a pending transfer (a hold): its amount is reserved on fromAccountId, not moved, until
   * a SettlePending posts, voids or expires it (pendingDecider.ts). Never with reversalOf.
   */
  readonly pending?: PendingTerms;
}

export interface PendingTerms {
  /** Seconds from its decision until it expires; absent: never. */
  readonly timeoutSeconds?: number;
}

export type SettlementAction = 'post' | 'void' | 'expire';

/**
 * Settles a pending transfer, exactly once: post (all or part of it), void, or expire (written by
 * the processor's expiry sweep). Carries the pending transfer's accounts so the batch can lock
 * them before it reads the transfer; the decider checks they are its accounts.
 */
export interface SettlePending extends Omit<CommandEnvelope, 'metadata'> {
  readonly type: 'SettlePending';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly action: SettlementAction;
  /** post only: the amount to post, 1 to the pending amount; absent: all of it. */
  readonly amount?: bigint;
  /** expire only: the sweep's time, from the command (the log), not the decider's clock. */
  readonly asOfMs?: number;
}

/**
 * What a ChangeAccount does: freeze (open → frozen), unfreeze (frozen → open), close (open or
 * frozen → closed, empty accounts only; final) or replace the whole metadata map.
 */
import type { AccountChange as AccountChangeKind } from '@ledger/schemas/domainTypes';
export type { AccountChangeKind };
/** The wire's list and type are their one home, so the decider and the converters agree. */
export { accountChanges as accountChangeKinds } from '@ledger/schemas/fieldRules';

/**
 * One change of an account's settings (accountChangeDecider.ts). Idempotent by (accountId,
 * idempotencyKey): the key is the Idempotency-Key header, else the command id, so a change sent
 * without a header is never deduplicated.
 */
export interface ChangeAccount extends CommandEnvelope {
  readonly type: 'ChangeAccount';
  readonly accountId: string;
  readonly change: AccountChangeKind;
  /** update_metadata only, and required there: the account's whole new metadata. */
  readonly metadata?: Metadata;
  /** Optimistic concurrency: refused (revision_conflict) unless the account is at this revision. */
  readonly expectedRevision?: number;
}

/** A command as the deciders take it; the wire's is @ledger/schemas' LedgerCommand (wireMapping.ts). */
export type DomainCommand = OpenAccount | Transfer | SettlePending | ChangeAccount;

/** Closes an exhaustive switch: a new union member is a compile error, and a crash if forced. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value, bigintReplacer)}`);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
