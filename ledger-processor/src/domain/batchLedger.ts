import { invariant } from './invariant.ts';
import type { AccountState } from './accountState.ts';
import { assertNever } from './commands.ts';
import type { DomainEvent } from './events.ts';
import { evolve } from './evolve.ts';
import type {
  AccountChange,
  AccountChangeRecord,
  CommandOutcome,
  JournalLine,
  SettlementRecord,
} from './records.ts';
import {
  accountChangeKeyOf,
  type BatchSnapshot,
  type PriorAccountChange,
  type PriorSettlement,
  type PriorTransfer,
  type SnapshotKeys,
} from './snapshot.ts';
import {
  assertBatchBalanced,
  assertBatchRevisions,
  assertCovers,
  assertStoredAccount,
} from './batchChecks.ts';

/**
 * The in-memory ledger one batch is decided against: the snapshot, evolved by every event
 * decided so far, so each command sees the effects of the commands before it. It also collects
 * the rows to write. Mutable on purpose (one batch, one owner, thousands of commands); nothing
 * of it escapes but the frozen results of `rows()`.
 */
export class BatchLedger {
  private readonly initial = new Map<string, AccountState>();
  private readonly accounts = new Map<string, AccountState>();
  private readonly opened: string[] = [];
  private readonly outcomesByCommand = new Map<string, CommandOutcome>();
  private readonly transfersByKey = new Map<string, PriorTransfer>();
  private readonly transfersById = new Map<string, PriorTransfer>();
  /** Per reversed transfer: what its posted reversals took back, the snapshot's plus the batch's. */
  private readonly reversed = new Map<string, bigint>();
  /** Per settled pending transfer: its settlement, the snapshot's or the batch's. */
  private readonly settlementsById = new Map<string, PriorSettlement>();
  /** Per (accountId, idempotencyKey) (accountChangeKeyOf): the accepted change that owns it. */
  private readonly accountChangesByKey = new Map<string, PriorAccountChange>();
  readonly events: DomainEvent[] = [];
  readonly journal: JournalLine[] = [];
  readonly transfers: PriorTransfer[] = [];
  readonly settlements: SettlementRecord[] = [];
  readonly accountChanges: AccountChangeRecord[] = [];
  readonly outcomes: CommandOutcome[] = [];

  constructor(snapshot: BatchSnapshot, needed: SnapshotKeys) {
    assertCovers(snapshot.keys, needed);
    for (const account of snapshot.accounts) {
      assertStoredAccount(account);
      invariant(
        !this.initial.has(account.accountId),
        () => `snapshot holds ${account.accountId} twice`,
      );
      this.initial.set(account.accountId, account);
      this.accounts.set(account.accountId, account);
    }
    for (const prior of snapshot.priorTransfers) this.rememberTransfer(prior);
    for (const outcome of snapshot.priorOutcomes) {
      this.outcomesByCommand.set(outcome.commandId, outcome);
    }
    const reversible = new Set(snapshot.keys.reversalsOf);
    for (const { transferId, reversed } of snapshot.reversedAmounts) {
      invariant(reversible.has(transferId), () => `reversed amount of unasked ${transferId}`);
      invariant(reversed > 0n, () => `${transferId}: reversed ${reversed}`);
      this.reversed.set(transferId, reversed);
    }
    const settleable = new Set(snapshot.keys.settlementsOf);
    for (const settlement of snapshot.settlements) {
      const { transferId } = settlement.record;
      invariant(settleable.has(transferId), () => `settlement of unasked ${transferId}`);
      this.rememberSettlement(settlement);
    }
    const changeKeys = new Set(snapshot.keys.accountChangeKeys.map(accountChangeKeyOf));
    for (const change of snapshot.accountChanges) {
      const key = accountChangeKeyOf(change.record);
      invariant(changeKeys.has(key), () => `account change of unasked key ${key}`);
      this.rememberAccountChange(change);
    }
  }

  account(accountId: string): AccountState | undefined {
    return this.accounts.get(accountId);
  }

  outcomeOf(commandId: string): CommandOutcome | undefined {
    return this.outcomesByCommand.get(commandId);
  }

  transferByKey(idempotencyKey: string): PriorTransfer | undefined {
    return this.transfersByKey.get(idempotencyKey);
  }

  transferIdTaken(transferId: string): boolean {
    return this.transfersById.has(transferId);
  }

  /** The transfer decided under `transferId` (an earlier batch or this one), if any. */
  transfer(transferId: string): PriorTransfer | undefined {
    return this.transfersById.get(transferId);
  }

  /** How the pending transfer `transferId` was settled (an earlier batch or this one), if it was. */
  settlementOf(transferId: string): PriorSettlement | undefined {
    return this.settlementsById.get(transferId);
  }

  /** A new pending_settlements row: the pending transfer is settled from now on, once. */
  recordSettlement(settlement: PriorSettlement): void {
    this.recordOutcome(settlement.outcome);
    this.rememberSettlement(settlement);
    this.settlements.push(settlement.record);
  }

  /** The accepted change of `accountId` under `idempotencyKey` (an earlier batch or this one). */
  accountChangeByKey(accountId: string, idempotencyKey: string): PriorAccountChange | undefined {
    return this.accountChangesByKey.get(accountChangeKeyOf({ accountId, idempotencyKey }));
  }

  /** A new account_changes row: it owns its (accountId, idempotencyKey) from now on. */
  recordAccountChange(change: PriorAccountChange): void {
    this.recordOutcome(change.outcome);
    this.rememberAccountChange(change);
    this.accountChanges.push(change.record);
  }

  /** How much of `transferId` its posted reversals took back so far. */
  reversedOf(transferId: string): bigint {
    return this.reversed.get(transferId) ?? 0n;
  }

  /** A new outcome row; a command id is decided once, so a second one is a bug. */
  recordOutcome(outcome: CommandOutcome): void {
    invariant(
      !this.outcomesByCommand.has(outcome.commandId),
      () => `${outcome.commandId} decided twice`,
    );
    this.outcomesByCommand.set(outcome.commandId, outcome);
    this.outcomes.push(outcome);
  }

  /** A new transfers row (posted or rejected); it owns its key and its transferId from now on. */
  recordTransfer(transfer: PriorTransfer): void {
    this.recordOutcome(transfer.outcome);
    this.rememberTransfer(transfer);
    this.transfers.push(transfer);
  }

  /** Applies a decided event to the in-memory accounts and collects its journal lines. */
  apply(event: DomainEvent): void {
    this.events.push(event);
    switch (event.type) {
      case 'AccountOpened':
        invariant(!this.accounts.has(event.accountId), () => `${event.accountId} is opened twice`);
        this.accounts.set(event.accountId, this.evolved(undefined, event));
        this.opened.push(event.accountId);
        return;
      case 'TransferPosted':
      case 'PendingPosted': {
        const { debit, credit } = event;
        this.evolveAccount(debit.accountId, event);
        this.evolveAccount(credit.accountId, event);
        if (event.type === 'TransferPosted' && event.reversalOf !== undefined) {
          this.addReversed(event.transferId, event.reversalOf, event.amount);
        }
        const released = event.type === 'PendingPosted' ? event.pendingAmount : 0n;
        const line = { transferId: event.transferId, postedAtMs: event.occurredAtMs };
        this.journal.push(
          { ...line, ...debit, kind: 'posted', amount: -event.amount, heldChange: -released },
          { ...line, ...credit, kind: 'posted', amount: event.amount, heldChange: 0n },
        );
        return;
      }
      case 'TransferPending':
        this.evolveAccount(event.debit.accountId, event);
        this.journal.push({
          transferId: event.transferId,
          postedAtMs: event.occurredAtMs,
          ...event.debit,
          kind: 'pending',
          amount: 0n,
          heldChange: event.amount,
        });
        return;
      case 'PendingVoided':
        this.evolveAccount(event.debit.accountId, event);
        this.journal.push({
          transferId: event.transferId,
          postedAtMs: event.occurredAtMs,
          ...event.debit,
          kind: event.reason,
          amount: 0n,
          heldChange: -event.amount,
        });
        return;
      case 'AccountChanged':
        // Settings only: no journal line; the account's row is updated (accountsChanged).
        this.evolveAccount(event.accountId, event);
        return;
      case 'AccountOpenRejected':
      case 'TransferRejected':
      case 'SettlementRejected':
      case 'AccountChangeRejected':
        return;
      default:
        assertNever(event, 'event');
    }
  }

  private evolveAccount(accountId: string, event: DomainEvent): void {
    this.accounts.set(accountId, this.evolved(this.accounts.get(accountId), event));
  }

  private addReversed(transferId: string, reversalOf: string, amount: bigint): void {
    const reversed = this.reversedOf(reversalOf) + amount;
    const original = this.transfersById.get(reversalOf)?.record;
    // The decider refused anything past the original's amount (reversal_exceeds_transfer).
    invariant(
      original !== undefined && reversed <= original.amount,
      () => `${transferId} reverses ${reversalOf} past its amount`,
    );
    this.reversed.set(reversalOf, reversed);
  }

  /** Accounts opened by this batch, in their state after it (inserted as such). */
  accountsOpened(): AccountState[] {
    return this.opened.map((accountId) => this.required(accountId));
  }

  /**
   * Existing accounts the batch posted to or changed, ascending by id, with the version and
   * revision they had.
   */
  accountsChanged(): AccountChange[] {
    const changes: AccountChange[] = [];
    for (const accountId of [...this.initial.keys()].sort()) {
      const before = this.required(accountId, this.initial);
      const after = this.required(accountId);
      if (after.version === before.version && after.revision === before.revision) continue;
      changes.push({
        accountId,
        expectedVersion: before.version,
        version: after.version,
        balance: after.balance,
        held: after.held,
        expectedRevision: before.revision,
        revision: after.revision,
        status: after.status,
        metadata: after.metadata,
      });
    }
    return changes;
  }

  /**
   * Double-entry and revisions checked over the whole batch before anything is written
   * (TigerBeetle asserts on both sides of a boundary): batchChecks.ts.
   */
  assertBalanced(): void {
    assertBatchBalanced(this.journal, this.initial, this.accounts);
    assertBatchRevisions(this.accountChanges, this.initial, this.accounts);
  }

  private evolved(state: AccountState | undefined, event: DomainEvent): AccountState {
    const next = evolve(state, event);
    invariant(
      next !== undefined,
      () => `event ${event.eventId} names an account that is not loaded`,
    );
    return next;
  }

  private required(accountId: string, from = this.accounts): AccountState {
    const account = from.get(accountId);
    invariant(account !== undefined, () => `account ${accountId} vanished from the batch`);
    return account;
  }

  private rememberSettlement(settlement: PriorSettlement): void {
    const { record, outcome } = settlement;
    invariant(
      record.commandId === outcome.commandId && outcome.replayOf === undefined,
      () => `settlement of ${record.transferId}: outcome mismatch`,
    );
    invariant(
      !this.settlementsById.has(record.transferId),
      () => `${record.transferId} is settled twice`,
    );
    this.settlementsById.set(record.transferId, settlement);
  }

  private rememberAccountChange(change: PriorAccountChange): void {
    const { record, outcome } = change;
    invariant(
      record.commandId === outcome.commandId &&
        outcome.replayOf === undefined &&
        outcome.status === 'applied',
      () => `account change ${record.commandId}: outcome mismatch`,
    );
    const key = accountChangeKeyOf(record);
    invariant(!this.accountChangesByKey.has(key), () => `${key} owns two account changes`);
    this.accountChangesByKey.set(key, change);
  }

  private rememberTransfer(transfer: PriorTransfer): void {
    const { record, outcome } = transfer;
    invariant(
      record.commandId === outcome.commandId,
      () => `transfer ${record.transferId}: outcome mismatch`,
    );
    invariant(
      outcome.replayOf === undefined,
      () => `transfer ${record.transferId}'s outcome is a replay`,
    );
    // Both maps are filled from the snapshot too: a key and an id may belong to two transfers.
    this.transfersByKey.set(record.idempotencyKey, transfer);
    this.transfersById.set(record.transferId, transfer);
  }
}
