import type { AccountStatus } from './accountState.ts';
import type { AccountChangeKind, Metadata, SettlementAction } from './commands.ts';
import type { OutcomeCode, TransferRejectionCode } from './rejectionCodes.ts';

/**
 * The rows a batch decision asks the processor shell to write, one interface per table of
 * infra/migrations. Plain data: the shell maps each field to its column and nothing else.
 */

/** `command_outcomes`: what GET /v1/commands/{id} answers and what a waiting client is told. */
export interface CommandOutcome {
  readonly commandId: string;
  readonly kind: 'open_account' | 'transfer' | 'account_change';
  /** accountId or transferId: the id the client knows the command's subject by. */
  readonly subjectId: string;
  readonly status: 'applied' | 'rejected';
  /** Present exactly when rejected. */
  readonly code: OutcomeCode | undefined;
  /** Account versions after the command (the contract's `versions`); empty when nothing was posted. */
  readonly versions: Readonly<Record<string, number>>;
  /** Balances after a posted transfer (the contract's `balances`); empty otherwise. */
  readonly balances: Readonly<Record<string, bigint>>;
  /** For a duplicate: the command whose outcome this one replays. */
  readonly replayOf: string | undefined;
  readonly decidedAtMs: number;
  /**
   * An applied account change (or its replay): the account's revision after it. Not a column of
   * command_outcomes: a replay by idempotency key takes it from the account_changes row, and an
   * outcome read back from command_outcomes alone may lack it.
   */
  readonly revision?: number;
}

/** `transfers`: one row per transferId and per idempotency key, posted, pending or rejected. */
export interface TransferRecord {
  readonly transferId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly commandId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /** `pending` stays `pending` in this append-only row; its settlement is a row of its own. */
  readonly status: 'posted' | 'pending' | 'rejected';
  readonly code: TransferRejectionCode | undefined;
  readonly decidedAtMs: number;
  /** `transfers.reversal_of`: the transfer this one reverses, if it is a reversal. */
  readonly reversalOf?: string;
  /** `transfers.expires_at`: when a pending transfer expires; absent: never (or not pending). */
  readonly expiresAtMs?: number;
}

/**
 * `pending_settlements`: how a pending transfer was settled, one row per pending transfer (its
 * primary key), so Postgres itself refuses a second settlement.
 */
export interface SettlementRecord {
  readonly transferId: string;
  readonly action: SettlementAction;
  /** What was posted (post), or released (void, expire): the pending amount. */
  readonly amount: bigint;
  readonly commandId: string;
  readonly requestHash: string;
  readonly decidedAtMs: number;
}

/** What an entry did to its account, as `postings.kind` records it. */
export type EntryKind = 'posted' | 'pending' | 'voided' | 'expired';

/**
 * `postings`: one journal line per entry on an account. A posted transfer's two lines sum to
 * zero; a hold's line and its release move no money (amount 0) but the account's held amount.
 */
export interface JournalLine {
  readonly transferId: string;
  readonly accountId: string;
  readonly kind: EntryKind;
  /** Signed: negative on the debit (from) side, positive on the credit (to) side. */
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  /** Signed change of the account's held amount: +pending on a hold, −pending on its release. */
  readonly heldChange: bigint;
  readonly heldAfter: bigint;
  /** The account's version after this line: previous version + 1. */
  readonly version: number;
  readonly postedAtMs: number;
}

/**
 * An existing account's new balance, held amount, version, status, metadata and revision (entries
 * change the first four, account changes the last three). The shell writes the entries as
 * `UPDATE accounts … WHERE id = $accountId AND version = $expectedVersion` and the changes as
 * `UPDATE accounts … WHERE id = $accountId AND version = $version AND revision =
 * $expectedRevision` (accountWrites.ts), and asserts every row matched: a mismatch means the
 * snapshot was not read under the row lock.
 */
export interface AccountChange {
  readonly accountId: string;
  readonly expectedVersion: number;
  readonly version: number;
  readonly balance: bigint;
  readonly held: bigint;
  readonly expectedRevision: number;
  readonly revision: number;
  readonly status: AccountStatus;
  readonly metadata: Metadata;
}

/**
 * `account_changes`: one row per accepted account change, keyed (accountId, revision), with
 * (accountId, idempotencyKey) unique: a retry under the same key finds it (accountChangeDecider.ts).
 * Refused changes have no row, so a refused change retried under its key is decided afresh.
 */
export interface AccountChangeRecord {
  readonly accountId: string;
  /** The account's revision after this change: ≥ 2. */
  readonly revision: number;
  /** The account's version (its entry count) when it changed: the change leaves it as it was. */
  readonly version: number;
  readonly commandId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly change: AccountChangeKind;
  /** The account's status and whole metadata map after this change. */
  readonly status: AccountStatus;
  readonly metadata: Metadata;
  readonly changedAtMs: number;
}
