import { invariant } from './invariant.ts';
import { statusAfter, type AccountState } from './accountState.ts';
import { balanceMax, versionMax } from './bounds.ts';
import { assertNever, type Metadata } from './commands.ts';
import type { AccountChanged, DomainEvent, PostingLeg } from './events.ts';

/**
 * Folds one event into one account's state: the account's stream is every event that opens it,
 * adds an entry to it (a posting, a hold, a hold's release) or changes its settings. Events for
 * other accounts and rejections leave the state as it is, so a whole log can be folded per
 * account. The same function rebuilds state from `ledger.events` (invariant 5,
 * docs/architecture.md), so it re-checks what the deciders promised: an entry continues the
 * account's version by exactly 1 and its balance and held amount by exactly the event's amounts,
 * and leaves at least −overdraftLimit available; a change continues its revision by exactly 1,
 * at the version the account is at, along a transition the status allows.
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
        revision: 1,
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
      return entry(state, event.debit, { balance: 0n, held: event.amount, takes: true });
    case 'PendingVoided':
      // A release takes nothing: it applies to a frozen account too.
      if (state?.accountId !== event.debit.accountId) return state;
      return entry(state, event.debit, { balance: 0n, held: -event.amount, takes: false });
    case 'AccountChanged':
      if (state?.accountId !== event.accountId) return state;
      return changed(state, event);
    case 'AccountOpenRejected':
    case 'TransferRejected':
    case 'SettlementRejected':
    case 'AccountChangeRejected':
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
    return entry(state, event.debit, { balance: -amount, held: -released, takes: true });
  }
  if (event.credit.accountId === state.accountId) {
    return entry(state, event.credit, { balance: amount, held: 0n, takes: true });
  }
  return state;
}

interface EntryChange {
  readonly balance: bigint;
  readonly held: bigint;
  /**
   * Money moves or is newly held: only an open account takes that. A hold's release takes
   * nothing, so a frozen account gets it too.
   */
  readonly takes: boolean;
}

function entry(state: AccountState, leg: PostingLeg, change: EntryChange): AccountState {
  invariant(
    !change.takes || state.status === 'open',
    () => `account ${state.accountId} is ${state.status} but got a posting or a hold`,
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

/** A settings change: status, metadata and revision as the event states them, re-checked. */
function changed(state: AccountState, event: AccountChanged): AccountState {
  const id = state.accountId;
  invariant(
    event.revision === state.revision + 1 && event.revision <= versionMax,
    () => `account ${id} at revision ${state.revision} got a change to revision ${event.revision}`,
  );
  invariant(
    event.version === state.version,
    () => `account ${id} at version ${state.version} got a change stated at ${event.version}`,
  );
  invariant(
    statusAfter(event.change, state.status) === event.status,
    () => `account ${id}: ${event.change} does not take ${state.status} to ${event.status}`,
  );
  invariant(
    event.status !== 'closed' || (state.balance === 0n && state.held === 0n),
    () => `account ${id} is closed but not empty`,
  );
  invariant(
    event.change === 'update_metadata' || sameMetadata(event.metadata, state.metadata),
    () => `account ${id}: ${event.change} replaced its metadata`,
  );
  return { ...state, status: event.status, metadata: event.metadata, revision: event.revision };
}

function sameMetadata(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
