import { invariant } from './invariant.ts';
import { assert } from '@ledger/runtime';
import { decideOpenAccount, type DecisionContext } from './accountDecider.ts';
import type { AccountState } from './accountState.ts';
import { BatchLedger } from './batchLedger.ts';
import { batchCommandsMax } from './bounds.ts';
import { commandProblem } from './commandChecks.ts';
import { assertNever, type DomainCommand, type OpenAccount, type Transfer } from './commands.ts';
import type { DomainEvent } from './events.ts';
import { replayDecision, transferOutcome, type CommandDecision, type Decided } from './decided.ts';
import { decideChangeCommand } from './accountChangeCommand.ts';
import type {
  AccountChange,
  AccountChangeRecord,
  CommandOutcome,
  JournalLine,
  SettlementRecord,
  TransferRecord,
} from './records.ts';
import { decideSettleCommand } from './settlementCommand.ts';
import { snapshotKeys, type BatchSnapshot } from './snapshot.ts';
import { decideTransfer } from './transferDecider.ts';

export interface BatchInput {
  /** One partition's commands in Kafka order, each already through `commandProblem`. */
  readonly commands: readonly DomainCommand[];
  readonly snapshot: BatchSnapshot;
  /** One clock reading for the whole batch: every event and row of it carries this time. */
  readonly nowMs: number;
  readonly nextEventId: () => string;
}

export type { CommandDecision } from './decided.ts';

/** Everything the shell writes in the batch's one transaction, and publishes after it. */
export interface BatchDecision {
  /** One per command, in the commands' order: what each waiting client is told. */
  readonly decisions: readonly CommandDecision[];
  /** The new events in decision order: the outbox rows. */
  readonly events: readonly DomainEvent[];
  /** INSERT into accounts: opened by this batch, in their state after it. */
  readonly accountsOpened: readonly AccountState[];
  /** UPDATE accounts … WHERE version = expectedVersion, ascending by id. */
  readonly accountsChanged: readonly AccountChange[];
  /** INSERT into postings. */
  readonly journal: readonly JournalLine[];
  /** INSERT into transfers (posted, pending and rejected). */
  readonly transfers: readonly TransferRecord[];
  /** INSERT into pending_settlements: the pending transfers this batch posted, voided or expired. */
  readonly settlements: readonly SettlementRecord[];
  /**
   * INSERT into account_changes: the changes this batch accepted, in decision order (each
   * account's revisions ascending). The accounts' new status, metadata and revision are in
   * `accountsChanged`.
   */
  readonly accountChanges: readonly AccountChangeRecord[];
  /** INSERT into command_outcomes: every decided command but redelivered ones. */
  readonly outcomes: readonly CommandOutcome[];
}

/**
 * Decides one partition's batch in memory, TigerBeetle style: after the prefetch (the snapshot)
 * and before the one write, synchronously, with no I/O, clock or randomness inside. Commands are
 * decided in order against a ledger that already holds the effects of the ones before them, so
 * a batch decides exactly what one-command-at-a-time processing would have.
 */
export function decideBatch(input: BatchInput): BatchDecision {
  const { commands } = input;
  invariant(
    commands.length <= batchCommandsMax,
    () => `${commands.length} commands > batchCommandsMax`,
  );
  for (const command of commands) {
    const problem = commandProblem(command);
    invariant(
      problem === undefined,
      () => `command ${command.commandId} reached the decider: ${problem}`,
    );
  }
  const ledger = new BatchLedger(input.snapshot, snapshotKeys(commands));
  const context: DecisionContext = { nowMs: input.nowMs, nextEventId: input.nextEventId };
  const decisions: CommandDecision[] = [];
  for (const command of commands) {
    // Decided against the ledger as the commands before left it, then recorded in it.
    const decided = decideCommand(command, ledger, context);
    recordDecided(ledger, decided);
    decisions.push(decided.decision);
  }
  ledger.assertBalanced();
  const eventCount = decisions.filter((d) => d.kind === 'applied' || d.kind === 'rejected').length;
  assert(ledger.events.length === eventCount, 'every applied or rejected command has one event');
  return {
    decisions,
    events: ledger.events,
    accountsOpened: ledger.accountsOpened(),
    accountsChanged: ledger.accountsChanged(),
    journal: ledger.journal,
    transfers: ledger.transfers.map((transfer) => transfer.record),
    settlements: ledger.settlements,
    accountChanges: ledger.accountChanges,
    outcomes: ledger.outcomes,
  };
}

/** The one place a decision changes the batch's ledger: its event, its outcome, its row. */
function recordDecided(ledger: BatchLedger, decided: Decided): void {
  const { decision, transfer, settlement, accountChange, isNew } = decided;
  if (!isNew) return;
  if (decision.kind === 'applied' || decision.kind === 'rejected') ledger.apply(decision.event);
  const { outcome } = decision;
  if (transfer !== undefined) ledger.recordTransfer({ record: transfer, outcome });
  else if (settlement !== undefined) ledger.recordSettlement({ record: settlement, outcome });
  else if (accountChange !== undefined)
    ledger.recordAccountChange({ record: accountChange, outcome });
  else ledger.recordOutcome(outcome);
}

function decideCommand(
  command: DomainCommand,
  ledger: BatchLedger,
  context: DecisionContext,
): Decided {
  // A command id already decided (an earlier batch, or earlier in this one): a redelivery.
  const stored = ledger.outcomeOf(command.commandId);
  if (stored !== undefined) {
    return {
      decision: { kind: 'duplicate', command, outcome: stored, replayOf: command.commandId },
      isNew: false,
    };
  }
  switch (command.type) {
    case 'OpenAccount':
      return decideOpen(command, ledger, context);
    case 'Transfer':
      return decideTransferCommand(command, ledger, context);
    case 'SettlePending':
      return decideSettleCommand(command, ledger, context);
    case 'ChangeAccount':
      return decideChangeCommand(command, ledger, context);
    default:
      return assertNever(command, 'command');
  }
}

function decideOpen(command: OpenAccount, ledger: BatchLedger, context: DecisionContext): Decided {
  const base = {
    commandId: command.commandId,
    kind: 'open_account',
    subjectId: command.accountId,
    balances: {},
    decidedAtMs: context.nowMs,
  } as const;
  const decision = decideOpenAccount(command, ledger.account(command.accountId), context);
  switch (decision.kind) {
    case 'opened': {
      const outcome: CommandOutcome = {
        ...base,
        status: 'applied',
        code: undefined,
        versions: { [command.accountId]: decision.event.version },
        replayOf: undefined,
      };
      return {
        decision: { kind: 'applied', command, outcome, event: decision.event },
        isNew: true,
      };
    }
    case 'duplicate': {
      // The first opening's outcome is rebuilt from the account row: it was applied at version 1.
      const outcome: CommandOutcome = {
        ...base,
        status: 'applied',
        code: undefined,
        versions: { [command.accountId]: 1 },
        replayOf: decision.first.openedByCommandId,
      };
      const replayOf = decision.first.openedByCommandId;
      return { decision: { kind: 'duplicate', command, outcome, replayOf }, isNew: true };
    }
    case 'rejected': {
      const outcome: CommandOutcome = {
        ...base,
        status: 'rejected',
        code: decision.event.code,
        versions: {},
        replayOf: undefined,
      };
      return {
        decision: { kind: 'rejected', command, outcome, event: decision.event },
        isNew: true,
      };
    }
    default:
      return assertNever(decision, 'open-account decision');
  }
}

function decideTransferCommand(
  command: Transfer,
  ledger: BatchLedger,
  context: DecisionContext,
): Decided {
  const first = ledger.transferByKey(command.idempotencyKey);
  if (first !== undefined && first.record.requestHash === command.requestHash) {
    // The hash covers the content, not a generated transferId: the first transfer's id stands.
    return replayDecision(command, first.outcome, context.nowMs);
  }
  if (first !== undefined || ledger.transferIdTaken(command.transferId)) {
    const outcome: CommandOutcome = {
      commandId: command.commandId,
      kind: 'transfer',
      subjectId: command.transferId,
      status: 'rejected',
      code: 'idempotency_conflict',
      versions: {},
      balances: {},
      replayOf: undefined,
      decidedAtMs: context.nowMs,
    };
    return { decision: { kind: 'conflict', command, outcome }, isNew: true };
  }
  const accounts = {
    from: ledger.account(command.fromAccountId),
    to: ledger.account(command.toAccountId),
  };
  const target =
    command.reversalOf === undefined
      ? undefined
      : {
          original: ledger.transfer(command.reversalOf)?.record,
          reversed: ledger.reversedOf(command.reversalOf),
        };
  const decision = decideTransfer(command, accounts, context, target);
  const code = decision.kind === 'rejected' ? decision.event.code : undefined;
  const outcome = transferOutcome(command, decision.event, code, context.nowMs);
  const expiresAtMs = decision.kind === 'pending' ? decision.event.expiresAtMs : undefined;
  const record: TransferRecord = {
    transferId: command.transferId,
    idempotencyKey: command.idempotencyKey,
    requestHash: command.requestHash,
    commandId: command.commandId,
    fromAccountId: command.fromAccountId,
    toAccountId: command.toAccountId,
    amount: command.amount,
    currency: command.currency,
    metadata: command.metadata,
    status: decision.kind,
    code,
    decidedAtMs: context.nowMs,
    ...(command.reversalOf === undefined ? {} : { reversalOf: command.reversalOf }),
    ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
  };
  return {
    decision: {
      kind: code === undefined ? 'applied' : 'rejected',
      command,
      outcome,
      event: decision.event,
    },
    transfer: record,
    isNew: true,
  };
}
