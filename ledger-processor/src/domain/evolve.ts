import { invariant } from './invariant.ts';
import type { AccountState } from './accountState.ts';
import { balanceMax, versionMax } from './bounds.ts';
import { assertNever } from './commands.ts';
import type { DomainEvent, PostingLeg } from './events.ts';

/**
 * Folds one event into one account's state: the account's stream is every event that opens it
 * or adds an entry to it (a posting, a hold, a hold's release). Events for other accounts and rejections leave the state as it is, so a
 * whole log can be folded per account. The same function rebuilds state from `ledger.events`
 * (invariant 5, docs/architecture.md), so it re-checks what the deciders promised: an entry continues the
 * account's version by exactly 1 and its balance and held amount by exactly the event's amounts,
 * and leaves at least −overdraftLimit available.
 */
export function evolve(
  state: AccountState | undefined,
  event: DomainEvent,
): AccountState | undefined {
  switch (event.type) {
    case 'AccountOpened':
      if (state !== undefined && state.accountId !== event.accountId) return state;
      invariant(state === undefined, () => `account ${event.accountId} is opened twice`);
      return {
        accountId: event.accountId,
        currency: event.currency,
        overdraftLimit: event.overdraftLimit,
        status: event.status,
        balance: event.balance,
        held: 0n,
        version: event.version,
        metadata: event.metadata,
        createdAtMs: event.occurredAtMs,
        openedByCommandId: event.commandId,
        openRequestHash: event.requestHash,
      };
    case 'TransferPosted':
      return postingTo(state, event, event.amount, 0n);
    case 'PendingPosted':
      return postingTo(state, event, event.amount, event.pendingAmount);
    case 'TransferPending':
      // A hold moves no money: the debit account's held amount rises, its balance stays.
      if (state?.accountId !== event.debit.accountId) return state;
      return entry(state, event.debit, { balance: 0n, held: event.amount, posting: false });
    case 'PendingVoided':
      if (state?.accountId !== event.debit.accountId) return state;
      return entry(state, event.debit, { balance: 0n, held: -event.amount, posting: false });
    case 'AccountOpenRejected':
    case 'TransferRejected':
    case 'SettlementRejected':
      return state;
    default:
      return assertNever(event, 'event');
  }
}

/**
 * A posting's effect on whichever of its two accounts `state` is: the debit side loses `amount`
 * and, for a posted hold, gets its whole pending amount `released`; the credit side gains it.
 */
function postingTo(
  state: AccountState | undefined,
  event: { readonly amount: bigint; readonly debit: PostingLeg; readonly credit: PostingLeg },
  amount: bigint,
  released: bigint,
): AccountState | undefined {
  if (state === undefined) return state;
  if (event.debit.accountId === state.accountId) {
    return entry(state, event.debit, { balance: -amount, held: -released, posting: true });
  }
  if (event.credit.accountId === state.accountId) {
    return entry(state, event.credit, { balance: amount, held: 0n, posting: true });
  }
  return state;
}

interface EntryChange {
  readonly balance: bigint;
  readonly held: bigint;
  /** Money moves: only an open account takes it. A hold's release is not a posting. */
  readonly posting: boolean;
}

function entry(state: AccountState, leg: PostingLeg, change: EntryChange): AccountState {
  invariant(
    !change.posting || state.status === 'open',
    () => `account ${state.accountId} is ${state.status} but got a posting`,
  );
  const balance = state.balance + change.balance;
  const held = state.held + change.held;
  invariant(
    leg.version === state.version + 1,
    () =>
      `account ${state.accountId} at version ${state.version} got an entry for version ${leg.version}`,
  );
  invariant(
    leg.balanceAfter === balance && leg.heldAfter === held,
    () =>
      `account ${state.accountId}: ${state.balance}/${state.held} + ${change.balance}/${change.held} is not ${leg.balanceAfter}/${leg.heldAfter}`,
  );
  invariant(held >= 0n, () => `account ${state.accountId} would hold ${held}`);
  invariant(
    balance - held >= -state.overdraftLimit,
    () =>
      `account ${state.accountId} would have ${balance - held} available, below −${state.overdraftLimit}`,
  );
  invariant(balance <= balanceMax, () => `account ${state.accountId} would exceed balanceMax`);
  invariant(leg.version <= versionMax, () => `account ${state.accountId} ran out of versions`);
  return { ...state, balance, held, version: leg.version };
}
