import { invariant } from './invariant.ts';
import type { DecisionContext } from './accountDecider.ts';
import type { SettlePending } from './commands.ts';
import type { PendingPosted, PendingVoided, SettlementRejected } from './events.ts';
import type { SettlementRecord, TransferRecord } from './records.ts';
import type { SettlementRejectionCode } from './rejectionCodes.ts';
import type { TransferAccounts } from './transferDecider.ts';

/** What a settlement is decided against: the pending transfer it names and how it was settled. */
export interface SettlementTarget {
  /** undefined: no transfer has that id (as of this point in the batch). */
  readonly transfer: TransferRecord | undefined;
  /** undefined: not settled yet. */
  readonly settlement: SettlementRecord | undefined;
}

export type SettlementDecision =
  | { readonly kind: 'posted'; readonly event: PendingPosted }
  | { readonly kind: 'voided'; readonly event: PendingVoided }
  | { readonly kind: 'rejected'; readonly event: SettlementRejected };

/**
 * Settles a pending transfer: a post moves all or part of its amount and releases the rest, a
 * void or an expiry releases all of it. Either way the whole hold is released exactly once. An
 * expiry is decided by the time the sweep wrote into the command (`asOfMs`, from the log); a
 * post is refused once the transfer's deadline has passed by the batch's clock. A replay of the
 * settlement that won is the batch decider's business (it compares request hashes); any other
 * settlement of a settled transfer is `transfer_not_pending`.
 */
export function decideSettlement(
  command: SettlePending,
  target: SettlementTarget,
  accounts: TransferAccounts,
  context: DecisionContext,
): SettlementDecision {
  const envelope = {
    eventId: context.nextEventId(),
    commandId: command.commandId,
    occurredAtMs: context.nowMs,
    requestHash: command.requestHash,
    transferId: command.transferId,
    fromAccountId: command.fromAccountId,
    toAccountId: command.toAccountId,
  };
  const code = settlementRejection(command, target, accounts, context.nowMs);
  if (code !== undefined) {
    const event: SettlementRejected = {
      ...envelope,
      type: 'SettlementRejected',
      action: command.action,
      ...(command.amount === undefined ? {} : { amount: command.amount }),
      code,
    };
    return { kind: 'rejected', event };
  }
  const { transfer } = target;
  const { from, to } = accounts;
  invariant(
    transfer !== undefined && from !== undefined && to !== undefined,
    () => `settling ${command.transferId}: a pending transfer's accounts exist`,
  );
  invariant(
    from.held >= transfer.amount,
    () => `${from.accountId} holds ${from.held}, less than pending ${transfer.transferId}`,
  );
  const released = from.held - transfer.amount;
  if (command.action !== 'post') {
    const reason = command.action === 'void' ? 'voided' : 'expired';
    const debit = {
      accountId: from.accountId,
      balanceAfter: from.balance,
      heldAfter: released,
      version: from.version + 1,
    };
    const event: PendingVoided = {
      ...envelope,
      type: 'PendingVoided',
      amount: transfer.amount,
      currency: transfer.currency,
      reason,
      debit,
    };
    return { kind: 'voided', event };
  }
  const amount = command.amount ?? transfer.amount;
  const event: PendingPosted = {
    ...envelope,
    type: 'PendingPosted',
    amount,
    pendingAmount: transfer.amount,
    currency: transfer.currency,
    debit: {
      accountId: from.accountId,
      balanceAfter: from.balance - amount,
      heldAfter: released,
      version: from.version + 1,
    },
    credit: {
      accountId: to.accountId,
      balanceAfter: to.balance + amount,
      heldAfter: to.held,
      version: to.version + 1,
    },
  };
  return { kind: 'posted', event };
}

/**
 * The first rejection code that applies, in the order of `settlementRejectionCodes`, or
 * undefined when the settlement goes ahead. Pure and total: the table test drives it directly.
 */
export function settlementRejection(
  command: SettlePending,
  { transfer, settlement }: SettlementTarget,
  { from, to }: TransferAccounts,
  nowMs: number,
): SettlementRejectionCode | undefined {
  if (
    transfer === undefined ||
    transfer.status !== 'pending' ||
    settlement !== undefined ||
    transfer.fromAccountId !== command.fromAccountId ||
    transfer.toAccountId !== command.toAccountId
  ) {
    return 'transfer_not_pending';
  }
  const { expiresAtMs } = transfer;
  if (command.action === 'expire') {
    invariant(command.asOfMs !== undefined, () => `expire ${command.transferId} without asOf`);
    if (expiresAtMs === undefined || expiresAtMs > command.asOfMs) return 'pending_not_expired';
  }
  if (command.action !== 'post') return undefined;
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) return 'pending_expired';
  if (from?.status !== 'open' || to?.status !== 'open') return 'account_closed';
  if (command.amount !== undefined && command.amount > transfer.amount) {
    return 'post_exceeds_pending';
  }
  return undefined;
}
