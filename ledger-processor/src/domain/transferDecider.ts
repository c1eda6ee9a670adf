import { invariant } from './invariant.ts';
import { assert } from '@ledger/runtime';
import type { DecisionContext } from './accountDecider.ts';
import type { AccountState } from './accountState.ts';
import { balanceMax } from './bounds.ts';
import type { Transfer } from './commands.ts';
import type { TransferRecord } from './records.ts';
import type { TransferPending, TransferPosted, TransferRejected } from './events.ts';
import type { TransferRejectionCode } from './rejectionCodes.ts';

export interface TransferAccounts {
  /** undefined: no such account (as of this point in the batch). */
  readonly from: AccountState | undefined;
  readonly to: AccountState | undefined;
}

/** What a reversal is decided against: the transfer it names, and what was taken back of it. */
export interface ReversalTarget {
  /** undefined: no transfer has that id (as of this point in the batch). */
  readonly original: TransferRecord | undefined;
  /** The sum of its posted reversals so far. */
  readonly reversed: bigint;
}

export type TransferDecision =
  | { readonly kind: 'posted'; readonly event: TransferPosted }
  | { readonly kind: 'pending'; readonly event: TransferPending }
  | { readonly kind: 'rejected'; readonly event: TransferRejected };

/**
 * Decides one transfer against the current state of its two accounts. Business rejections are
 * data (a TransferRejected event with its code); only states the ledger's invariants rule out
 * are assertions. Idempotency is not decided here but by the batch decider, which knows the
 * earlier outcomes.
 */
export function decideTransfer(
  command: Transfer,
  accounts: TransferAccounts,
  context: DecisionContext,
  reversal?: ReversalTarget,
): TransferDecision {
  const { from, to } = accounts;
  invariant(
    (from === undefined || from.accountId === command.fromAccountId) &&
      (to === undefined || to.accountId === command.toAccountId),
    () => `decideTransfer(${command.transferId}) was given the state of other accounts`,
  );
  const envelope = {
    eventId: context.nextEventId(),
    commandId: command.commandId,
    occurredAtMs: context.nowMs,
    requestHash: command.requestHash,
    transferId: command.transferId,
    idempotencyKey: command.idempotencyKey,
    fromAccountId: command.fromAccountId,
    toAccountId: command.toAccountId,
    amount: command.amount,
    currency: command.currency,
    metadata: command.metadata,
    ...(command.reversalOf === undefined ? {} : { reversalOf: command.reversalOf }),
  };
  invariant(
    (command.reversalOf === undefined) === (reversal === undefined),
    () =>
      `decideTransfer(${command.transferId}): a reversal needs its target, nothing else has one`,
  );
  invariant(
    command.pending === undefined || command.reversalOf === undefined,
    () => `decideTransfer(${command.transferId}): a reversal is never pending`,
  );
  const code = transferRejection(command, from, to, reversal);
  if (code !== undefined) {
    return { kind: 'rejected', event: { ...envelope, type: 'TransferRejected', code } };
  }
  // transferRejection returned no code, so both exist; restated for the type checker.
  assert(from !== undefined && to !== undefined, 'an accepted transfer has both accounts');
  if (command.pending !== undefined) {
    // A hold: the amount is reserved on the debit account, nothing moves until it is posted.
    const { timeoutSeconds } = command.pending;
    return {
      kind: 'pending',
      event: {
        ...envelope,
        type: 'TransferPending',
        debit: {
          accountId: from.accountId,
          balanceAfter: from.balance,
          heldAfter: from.held + command.amount,
          version: from.version + 1,
        },
        ...(timeoutSeconds === undefined
          ? {}
          : { expiresAtMs: context.nowMs + timeoutSeconds * 1_000 }),
      },
    };
  }
  const creditBalance = to.balance + command.amount;
  // Unreachable while conservation holds (bounds.ts explains why): a crash, not a rejection.
  invariant(
    creditBalance <= balanceMax,
    () => `crediting ${command.amount} to ${to.accountId} would exceed balanceMax`,
  );
  return {
    kind: 'posted',
    event: {
      ...envelope,
      type: 'TransferPosted',
      debit: {
        accountId: from.accountId,
        balanceAfter: from.balance - command.amount,
        heldAfter: from.held,
        version: from.version + 1,
      },
      credit: {
        accountId: to.accountId,
        balanceAfter: creditBalance,
        heldAfter: to.held,
        version: to.version + 1,
      },
    },
  };
}

/**
 * The first rejection code that applies, in the order of `transferRejectionCodes`, or undefined
 * when the transfer can be posted. Pure and total: the table test drives it directly.
 */
export function transferRejection(
  command: Transfer,
  from: AccountState | undefined,
  to: AccountState | undefined,
  reversal?: ReversalTarget,
): TransferRejectionCode | undefined {
  if (command.fromAccountId === command.toAccountId) return 'same_account';
  if (from === undefined || to === undefined) return 'account_not_found';
  if (from.status !== 'open' || to.status !== 'open') return 'account_closed';
  if (command.currency !== from.currency || command.currency !== to.currency) {
    return 'currency_mismatch';
  }
  if (reversal !== undefined) {
    const { original } = reversal;
    // Only a posted transfer can be taken back, and only along its own path, reversed.
    if (
      original === undefined ||
      original.status !== 'posted' ||
      original.fromAccountId !== command.toAccountId ||
      original.toAccountId !== command.fromAccountId ||
      original.currency !== command.currency
    ) {
      return 'transfer_not_reversible';
    }
    if (command.amount > original.amount - reversal.reversed) return 'reversal_exceeds_transfer';
  }
  // The contract's rule (docs/contract.md): the available balance (balance − what pending
  // transfers hold) minus amount would go below −overdraftLimit. A hold spends from it too.
  if (from.balance - from.held - command.amount < -from.overdraftLimit) return 'insufficient_funds';
  return undefined;
}
