import type { DomainCommand } from './commands.ts';
import type { DomainEvent, PostingLeg } from './events.ts';
import type {
  AccountChangeRecord,
  CommandOutcome,
  SettlementRecord,
  TransferRecord,
} from './records.ts';
import type { OutcomeCode } from './rejectionCodes.ts';

/**
 * What happened to one command. `applied` and `rejected` carry the one event the command adds to
 * the log; `duplicate` and `conflict` add none.
 * - duplicate: same idempotency key (accountId for an OpenAccount; per account for a
 *   ChangeAccount) and same request hash as an earlier command: `outcome` replays the first
 *   one's, under this command's id (`replayOf` names the first). A redelivered command id
 *   replays its own stored outcome (`replayOf` is its own id) and writes nothing at all.
 * - conflict: the key, or the transferId, belongs to a request with other content
 *   (idempotency_conflict).
 */
export type CommandDecision =
  | {
      readonly kind: 'applied' | 'rejected';
      readonly command: DomainCommand;
      readonly outcome: CommandOutcome;
      readonly event: DomainEvent;
    }
  | {
      readonly kind: 'duplicate';
      readonly command: DomainCommand;
      readonly outcome: CommandOutcome;
      readonly replayOf: string;
    }
  | {
      readonly kind: 'conflict';
      readonly command: DomainCommand;
      readonly outcome: CommandOutcome;
    };

/**
 * One command's decision and the row it adds besides its outcome: the transfers row of a transfer
 * the ledger decided (posted, pending or rejected), the pending_settlements row of a settlement
 * that went ahead, the account_changes row of an accepted account change. Deciding only reads
 * the ledger; the batch decider's `recordDecided` applies it.
 */
export interface Decided {
  readonly decision: CommandDecision;
  readonly transfer?: TransferRecord;
  readonly settlement?: SettlementRecord;
  readonly accountChange?: AccountChangeRecord;
  /** False for a redelivered command id: its outcome is stored already, nothing is written. */
  readonly isNew: boolean;
}

/**
 * A repeat of an earlier request (same key or pending transfer, same request hash): the first
 * command's outcome under this command's id, naming the first. Writes nothing but its outcome.
 */
export function replayDecision(
  command: DomainCommand,
  first: CommandOutcome,
  nowMs: number,
): Decided {
  const replayOf = first.commandId;
  const outcome: CommandOutcome = {
    ...first,
    commandId: command.commandId,
    replayOf,
    decidedAtMs: nowMs,
  };
  return { decision: { kind: 'duplicate', command, outcome, replayOf }, isNew: true };
}

/**
 * The outcome of a transfer or settlement the ledger decided: applied with the versions and
 * balances its event's entries left, or rejected with `code` (then its event adds no entry).
 */
export function transferOutcome(
  command: { readonly commandId: string; readonly transferId: string },
  event: DomainEvent,
  code: OutcomeCode | undefined,
  nowMs: number,
): CommandOutcome {
  const legs = entryLegs(event);
  return {
    commandId: command.commandId,
    kind: 'transfer',
    subjectId: command.transferId,
    status: code === undefined ? 'applied' : 'rejected',
    code,
    versions: byLeg(legs, (leg) => leg.version),
    balances: byLeg(legs, (leg) => leg.balanceAfter),
    replayOf: undefined,
    decidedAtMs: nowMs,
  };
}

/** The entries an event adds to accounts, debit first: what a command's outcome reports. */
export function entryLegs(event: DomainEvent): PostingLeg[] {
  switch (event.type) {
    case 'TransferPosted':
    case 'PendingPosted':
      return [event.debit, event.credit];
    case 'TransferPending':
    case 'PendingVoided':
      return [event.debit];
    case 'AccountOpened':
    case 'AccountOpenRejected':
    case 'TransferRejected':
    case 'SettlementRejected':
    case 'AccountChanged':
    case 'AccountChangeRejected':
      return [];
  }
}

/** `pick` of each leg, by its account: an outcome's `versions` and `balances`. */
export function byLeg<T>(
  legs: readonly PostingLeg[],
  pick: (leg: PostingLeg) => T,
): Record<string, T> {
  const picked: Record<string, T> = {};
  for (const leg of legs) picked[leg.accountId] = pick(leg);
  return picked;
}
