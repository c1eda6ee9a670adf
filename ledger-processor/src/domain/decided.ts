import type { DomainCommand } from './commands.ts';
import type { DomainEvent, PostingLeg } from './events.ts';
import type { CommandOutcome, SettlementRecord, TransferRecord } from './records.ts';

/**
 * What happened to one command. `applied` and `rejected` carry the one event the command adds to
 * the log; `duplicate` and `conflict` add none.
 * - duplicate: same idempotency key (accountId for an OpenAccount) and same request hash as an
 *   earlier command: `outcome` replays the first one's, under this command's id (`replayOf` names
 *   the first). A redelivered command id replays its own stored outcome (`replayOf` is its own
 *   id) and writes nothing at all.
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
 * that went ahead. Deciding only reads the ledger; the batch decider's `recordDecided` applies it.
 */
export interface Decided {
  readonly decision: CommandDecision;
  readonly transfer?: TransferRecord;
  readonly settlement?: SettlementRecord;
  /** False for a redelivered command id: its outcome is stored already, nothing is written. */
  readonly isNew: boolean;
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
      return [];
  }
}

/** `pick` of each leg, by its account: an outcome's `versions` and `balances`. */
export function byLeg<T>(
  legs: readonly PostingLeg[],
  pick: (leg: PostingLeg) => T,
): Record<string, T> {
  return Object.fromEntries(legs.map((leg) => [leg.accountId, pick(leg)]));
}
