import assert from 'node:assert/strict';
import type {
  AccountState,
  BatchDecision,
  BatchSnapshot,
  CommandOutcome,
  JournalLine,
  DomainCommand,
  DomainEvent,
  PriorAccountChange,
  PriorSettlement,
  PriorTransfer,
} from '../src/domain/index.ts';
import { accountChangeKeyOf, decideBatch, evolve, snapshotKeys } from '../src/domain/index.ts';
import { eventIds } from './domainFixtures.ts';

/**
 * An in-memory stand-in for the processor shell and its Postgres tables, for the domain tests:
 * it loads snapshots the way the shell will (by the keys of `snapshotKeys`), writes a batch's
 * rows while enforcing the schema's constraints (primary keys, unique (account, version), unique
 * (account, idempotency key) of account changes, versions and revisions compared-and-set), and
 * checks the ledger's invariants over everything written.
 */
export class ModelLedger {
  readonly accounts = new Map<string, AccountState>();
  readonly journal: JournalLine[] = [];
  readonly transfers = new Map<string, PriorTransfer>();
  readonly transferIdByKey = new Map<string, string>();
  readonly outcomes = new Map<string, CommandOutcome>();
  readonly settlements = new Map<string, PriorSettlement>();
  /** account_changes by (accountId, idempotencyKey) (accountChangeKeyOf): its unique key. */
  readonly accountChanges = new Map<string, PriorAccountChange>();
  readonly events: DomainEvent[] = [];
  private readonly postingKeys = new Set<string>();
  private readonly changeRevisions = new Set<string>();
  private readonly rebuilt = new Map<string, AccountState>();
  private readonly seeded = new Map<string, AccountState>();
  private batches = 0;

  /** Accounts that exist before any command, e.g. a closed one opened before this log began. */
  seed(account: AccountState): void {
    this.accounts.set(account.accountId, account);
    this.seeded.set(account.accountId, account);
  }

  snapshotFor(commands: readonly DomainCommand[]): BatchSnapshot {
    const keys = snapshotKeys(commands);
    const accounts = keys.accountIds.flatMap((id) => this.accounts.get(id) ?? []);
    const transferIds = new Set(keys.transferIds);
    for (const key of keys.idempotencyKeys) {
      const id = this.transferIdByKey.get(key);
      if (id !== undefined) transferIds.add(id);
    }
    const priorTransfers = [...transferIds].flatMap((id) => this.transfers.get(id) ?? []);
    const priorOutcomes = keys.commandIds.flatMap((id) => this.outcomes.get(id) ?? []);
    const reversedAmounts = keys.reversalsOf.flatMap((transferId) => {
      let reversed = 0n;
      for (const { record } of this.transfers.values()) {
        if (record.reversalOf === transferId && record.status === 'posted')
          reversed += record.amount;
      }
      return reversed === 0n ? [] : [{ transferId, reversed }];
    });
    const settlements = keys.settlementsOf.flatMap((id) => this.settlements.get(id) ?? []);
    const accountChanges = keys.accountChangeKeys.flatMap(
      (key) => this.accountChanges.get(accountChangeKeyOf(key)) ?? [],
    );
    return {
      keys,
      accounts,
      priorTransfers,
      priorOutcomes,
      reversedAmounts,
      settlements,
      accountChanges,
    };
  }

  /** Snapshot, decide and commit one batch, as the shell's one transaction does. */
  run(commands: readonly DomainCommand[], nowMs: number): BatchDecision {
    this.batches += 1;
    const decision = decideBatch({
      commands,
      snapshot: this.snapshotFor(commands),
      nowMs,
      nextEventId: eventIds(`b${this.batches}`),
    });
    this.commit(decision);
    return decision;
  }

  commit(decision: BatchDecision): void {
    for (const opened of decision.accountsOpened) {
      assert.ok(!this.accounts.has(opened.accountId), `accounts pkey: ${opened.accountId}`);
      this.accounts.set(opened.accountId, opened);
    }
    for (const change of decision.accountsChanged) {
      const stored = this.accounts.get(change.accountId);
      assert.ok(stored !== undefined, `update of a missing account ${change.accountId}`);
      assert.equal(stored.version, change.expectedVersion, `stale version of ${change.accountId}`);
      assert.equal(
        stored.revision,
        change.expectedRevision,
        `stale revision of ${change.accountId}`,
      );
      // accounts_closed_empty (0018).
      assert.ok(
        change.status !== 'closed' || (change.balance === 0n && change.held === 0n),
        `${change.accountId} closed but not empty`,
      );
      this.accounts.set(change.accountId, {
        ...stored,
        balance: change.balance,
        held: change.held,
        version: change.version,
        revision: change.revision,
        status: change.status,
        metadata: change.metadata,
      });
    }
    for (const line of decision.journal) {
      const key = `${line.accountId}@${line.version}`;
      assert.ok(!this.postingKeys.has(key), `postings pkey (account_id, version): ${key}`);
      this.postingKeys.add(key);
      this.journal.push(line);
    }
    const outcomesByCommand = new Map(decision.outcomes.map((o) => [o.commandId, o]));
    for (const record of decision.transfers) {
      assert.ok(!this.transfers.has(record.transferId), `transfers pkey: ${record.transferId}`);
      assert.ok(!this.transferIdByKey.has(record.idempotencyKey), `key ${record.idempotencyKey}`);
      const outcome = outcomesByCommand.get(record.commandId);
      assert.ok(outcome !== undefined, `transfer ${record.transferId} without its outcome`);
      this.transfers.set(record.transferId, { record, outcome });
      this.transferIdByKey.set(record.idempotencyKey, record.transferId);
    }
    for (const record of decision.settlements) {
      // pending_settlements' primary key: a pending transfer is settled once.
      assert.ok(!this.settlements.has(record.transferId), `settled twice: ${record.transferId}`);
      assert.equal(this.transfers.get(record.transferId)?.record.status, 'pending');
      const outcome = outcomesByCommand.get(record.commandId);
      assert.ok(outcome !== undefined, `settlement of ${record.transferId} without its outcome`);
      this.settlements.set(record.transferId, { record, outcome });
    }
    for (const record of decision.accountChanges) {
      const key = accountChangeKeyOf(record);
      const revision = `${record.accountId}@${record.revision}`;
      // account_changes' primary key (account_id, revision) and unique (account_id, key).
      assert.ok(!this.changeRevisions.has(revision), `account_changes pkey: ${revision}`);
      assert.ok(!this.accountChanges.has(key), `account_changes key: ${key}`);
      assert.ok(record.revision >= 2, `${revision}: a change starts at revision 2`);
      const outcome = outcomesByCommand.get(record.commandId);
      assert.ok(outcome !== undefined, `account change ${revision} without its outcome`);
      this.changeRevisions.add(revision);
      this.accountChanges.set(key, { record, outcome });
    }
    for (const outcome of decision.outcomes) {
      assert.ok(!this.outcomes.has(outcome.commandId), `outcomes pkey: ${outcome.commandId}`);
      this.outcomes.set(outcome.commandId, outcome);
    }
    this.events.push(...decision.events);
    this.fold(decision.events);
  }

  /**
   * The invariants (docs/architecture.md) over everything committed so far: each posted transfer's
   * two lines sum to zero, balances sum to zero (conservation: all accounts open at 0), no account
   * below −overdraftLimit, per-account versions gapless with each line continuing the balance, and
   * folding the event log rebuilds every account exactly.
   */
  assertInvariants(): void {
    const byTransfer = new Map<string, JournalLine[]>();
    const byAccount = new Map<string, JournalLine[]>();
    for (const line of this.journal) {
      byTransfer.set(line.transferId, [...(byTransfer.get(line.transferId) ?? []), line]);
      const lines = byAccount.get(line.accountId) ?? [];
      lines.push(line);
      byAccount.set(line.accountId, lines);
    }
    // A transfer is never reversed past its amount (reversal_exceeds_transfer).
    const reversedBy = new Map<string, bigint>();
    for (const { record } of this.transfers.values()) {
      if (record.reversalOf === undefined || record.status !== 'posted') continue;
      reversedBy.set(record.reversalOf, (reversedBy.get(record.reversalOf) ?? 0n) + record.amount);
    }
    for (const [transferId, reversed] of reversedBy) {
      const original = this.transfers.get(transferId)?.record;
      assert.equal(original?.status, 'posted', `${transferId} reversed but not posted`);
      assert.ok(reversed <= original.amount, `${transferId} reversed past its amount`);
    }
    // What every account holds: the amounts of its pending transfers not settled yet.
    const openHolds = new Map<string, bigint>();
    for (const [transferId, lines] of byTransfer) {
      const record = this.transfers.get(transferId)?.record;
      assert.equal(sum(lines.map((l) => l.amount)), 0n, `transfer ${transferId} is unbalanced`);
      if (record?.status === 'posted') {
        assert.equal(lines.length, 2, `transfer ${transferId} has ${lines.length} lines`);
        assert.ok(
          lines.every((l) => l.kind === 'posted' && l.heldChange === 0n),
          transferId,
        );
        continue;
      }
      assert.equal(record?.status, 'pending', `${transferId} has lines but is ${record?.status}`);
      const settlement = this.settlements.get(transferId)?.record;
      const kinds = lines.map((l) => l.kind).join(',');
      assert.equal(
        kinds,
        settlement === undefined
          ? 'pending'
          : settlement.action === 'post'
            ? 'pending,posted,posted'
            : `pending,${settlement.action === 'void' ? 'voided' : 'expired'}`,
        `${transferId}: lines ${kinds}`,
      );
      // A hold is released exactly once, whole, by its settlement (never twice).
      const heldNow = sum(lines.map((l) => l.heldChange));
      assert.equal(heldNow, settlement === undefined ? record.amount : 0n, transferId);
      if (settlement?.action === 'post') {
        assert.ok(settlement.amount <= record.amount, `${transferId} posted past its amount`);
      }
      openHolds.set(record.fromAccountId, (openHolds.get(record.fromAccountId) ?? 0n) + heldNow);
    }
    let total = 0n;
    for (const account of this.accounts.values()) {
      total += account.balance;
      const id = account.accountId;
      assert.ok(
        account.balance - account.held >= -account.overdraftLimit,
        `${id}: available below its overdraft limit`,
      );
      assert.equal(account.held, openHolds.get(id) ?? 0n, `${id}: held is not its open holds`);
      const lines = (byAccount.get(id) ?? []).sort((a, b) => a.version - b.version);
      let balance = 0n;
      let held = 0n;
      lines.forEach((line, index) => {
        assert.equal(line.version, index + 2, `${id}: versions skip at ${line.version}`);
        balance += line.amount;
        held += line.heldChange;
        assert.equal(line.balanceAfter, balance, `${id}: balance chain broken at ${line.version}`);
        assert.equal(line.heldAfter, held, `${id}: held chain broken at ${line.version}`);
      });
      assert.equal(account.version, lines.length + 1, `${id}: version is not 1 + entries`);
      assert.equal(account.balance, balance, `${id}: balance is not the sum of its postings`);
    }
    // Conservation over posted amounts: balances sum to zero whatever is pending.
    assert.equal(total, 0n, 'conservation: balances must sum to zero');
    this.assertSettingsFollowChanges();
    this.assertLogRebuildsAccounts();
  }

  /**
   * Each account's revision is its opening's (1) plus its accepted changes, gapless, and its
   * status and metadata are those its last change left; a closed account is empty.
   */
  private assertSettingsFollowChanges(): void {
    const byAccount = new Map<string, PriorAccountChange['record'][]>();
    for (const { record } of this.accountChanges.values()) {
      byAccount.set(record.accountId, [...(byAccount.get(record.accountId) ?? []), record]);
    }
    for (const account of this.accounts.values()) {
      const id = account.accountId;
      const start = this.seeded.get(id)?.revision ?? 1;
      const changes = (byAccount.get(id) ?? []).sort((a, b) => a.revision - b.revision);
      changes.forEach((change, index) => {
        assert.equal(change.revision, start + index + 1, `${id}: revisions skip`);
      });
      assert.equal(account.revision, start + changes.length, `${id}: revision is not its changes`);
      const last = changes.at(-1);
      if (last !== undefined) {
        assert.equal(account.status, last.status, `${id}: status is not its last change's`);
        assert.deepEqual(
          account.metadata,
          last.metadata,
          `${id}: metadata is not its last change's`,
        );
      }
      if (account.status === 'closed') {
        assert.deepEqual([account.balance, account.held], [0n, 0n], `${id}: closed, not empty`);
      }
    }
  }

  /** Folds a committed batch's events into the state rebuilt from the log alone. */
  private fold(events: readonly DomainEvent[]): void {
    for (const event of events) {
      const ids =
        event.type === 'AccountOpened' || event.type === 'AccountChanged'
          ? [event.accountId]
          : event.type === 'TransferPosted' || event.type === 'PendingPosted'
            ? [event.fromAccountId, event.toAccountId]
            : event.type === 'TransferPending' || event.type === 'PendingVoided'
              ? [event.fromAccountId]
              : [];
      for (const id of ids) {
        // Seeded accounts are not in the log: they start from their seeded opening state.
        const state = this.rebuilt.get(id) ?? this.seeded.get(id);
        const next = evolve(state, event);
        if (next !== undefined) this.rebuilt.set(id, next);
      }
    }
  }

  private assertLogRebuildsAccounts(): void {
    for (const [id, state] of this.rebuilt) {
      assert.deepEqual(this.accounts.get(id), state, `replaying the log does not rebuild ${id}`);
    }
  }

  get batchCount(): number {
    return this.batches;
  }
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
