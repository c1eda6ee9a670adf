import { invariant } from './invariant.ts';
import type { AccountState } from './accountState.ts';
import { balanceMax, versionMax } from './bounds.ts';
import { assertNever } from './commands.ts';
import type { DomainEvent, PostingLeg } from './events.ts';

/**
 * Folds one event into one account's state: the account's stream is every event that opens it
 * or posts a leg to it. Events for other accounts and rejections leave the state as it is, so a
 * whole log can be folded per account. The same function rebuilds state from `ledger.events`
 * (invariant 5, docs/architecture.md), so it re-checks what the deciders promised: a posting continues the
 * account's version by exactly 1 and its balance by exactly the amount, within the bounds.
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
        version: event.version,
        metadata: event.metadata,
        createdAtMs: event.occurredAtMs,
        openedByCommandId: event.commandId,
        openRequestHash: event.requestHash,
      };
    case 'TransferPosted': {
      if (state === undefined) return state;
      if (event.debit.accountId === state.accountId) return post(state, event.debit, -event.amount);
      if (event.credit.accountId === state.accountId)
        return post(state, event.credit, event.amount);
      return state;
    }
    case 'AccountOpenRejected':
    case 'TransferRejected':
      return state;
    default:
      return assertNever(event, 'event');
  }
}

function post(state: AccountState, leg: PostingLeg, signedAmount: bigint): AccountState {
  invariant(
    state.status === 'open',
    () => `account ${state.accountId} is ${state.status} but got a posting`,
  );
  const balance = state.balance + signedAmount;
  invariant(
    leg.version === state.version + 1,
    () =>
      `account ${state.accountId} at version ${state.version} got a posting for version ${leg.version}`,
  );
  invariant(
    leg.balanceAfter === balance,
    () =>
      `account ${state.accountId}: ${state.balance} + ${signedAmount} is not ${leg.balanceAfter}`,
  );
  invariant(
    balance >= -state.overdraftLimit && balance <= balanceMax,
    () =>
      `account ${state.accountId} would hold ${balance}, outside [−${state.overdraftLimit}, balanceMax]`,
  );
  invariant(leg.version <= versionMax, () => `account ${state.accountId} ran out of versions`);
  return { ...state, balance, version: leg.version };
}
