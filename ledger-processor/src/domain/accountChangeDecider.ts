import { invariant } from './invariant.ts';
import type { DecisionContext } from './accountDecider.ts';
import { statusAfter, type AccountState } from './accountState.ts';
import { versionMax } from './bounds.ts';
import type { ChangeAccount } from './commands.ts';
import type { AccountChangeRejected, AccountChanged } from './events.ts';
import type { AccountChangeRejectionCode } from './rejectionCodes.ts';
import type { PriorAccountChange } from './snapshot.ts';

export type AccountChangeDecision =
  | { readonly kind: 'changed'; readonly event: AccountChanged }
  | { readonly kind: 'rejected'; readonly event: AccountChangeRejected }
  /** Same account, key and request hash as an accepted change: its outcome is replayed. */
  | { readonly kind: 'duplicate'; readonly first: PriorAccountChange }
  /** Same account and key, other request hash: idempotency_conflict, not an event. */
  | { readonly kind: 'conflict'; readonly first: PriorAccountChange };

/**
 * Decides one change of an account's settings against its current state. `prior` is the
 * accepted change with the same (accountId, idempotencyKey), if any: only accepted changes own
 * a key (account_changes holds no refusals), so a refused change retried under its key is
 * decided afresh against the account as it is by then.
 */
export function decideAccountChange(
  command: ChangeAccount,
  state: AccountState | undefined,
  prior: PriorAccountChange | undefined,
  context: DecisionContext,
): AccountChangeDecision {
  invariant(
    state === undefined || state.accountId === command.accountId,
    () => `decideAccountChange(${command.accountId}) was given the state of ${state?.accountId}`,
  );
  if (prior !== undefined) {
    invariant(
      prior.record.accountId === command.accountId &&
        prior.record.idempotencyKey === command.idempotencyKey,
      () => `decideAccountChange(${command.commandId}) was given another key's change`,
    );
    const same = prior.record.requestHash === command.requestHash;
    return same ? { kind: 'duplicate', first: prior } : { kind: 'conflict', first: prior };
  }
  // Drawn only once an event is certain, so a replay or a conflict consumes no id.
  const envelope = {
    eventId: context.nextEventId(),
    commandId: command.commandId,
    occurredAtMs: context.nowMs,
    requestHash: command.requestHash,
    idempotencyKey: command.idempotencyKey,
    accountId: command.accountId,
    change: command.change,
  };
  const code = accountChangeRejection(command, state);
  if (code !== undefined) {
    return { kind: 'rejected', event: { ...envelope, type: 'AccountChangeRejected', code } };
  }
  // accountChangeRejection returned no code, so the account exists and the change applies.
  const status = state === undefined ? undefined : statusAfter(command.change, state.status);
  invariant(
    state !== undefined && status !== undefined,
    () => `${command.commandId}: an accepted change has an account and a status after it`,
  );
  const revision = state.revision + 1;
  invariant(revision <= versionMax, () => `account ${state.accountId} ran out of revisions`);
  const metadata = command.change === 'update_metadata' ? command.metadata : state.metadata;
  invariant(metadata !== undefined, () => `${command.commandId}: update_metadata without metadata`);
  return {
    kind: 'changed',
    event: {
      ...envelope,
      type: 'AccountChanged',
      status,
      metadata,
      revision,
      version: state.version,
    },
  };
}

/**
 * The first rejection code that applies, in the order of `accountChangeRejectionCodes`, or
 * undefined when the change goes ahead. Pure and total: the table test drives it directly.
 */
export function accountChangeRejection(
  command: ChangeAccount,
  state: AccountState | undefined,
): AccountChangeRejectionCode | undefined {
  if (state === undefined) return 'account_not_found';
  // Closed is final: whatever the change or the revision the caller expects.
  if (state.status === 'closed') return 'account_closed';
  const { expectedRevision } = command;
  if (expectedRevision !== undefined && expectedRevision !== state.revision) {
    return 'revision_conflict';
  }
  if (statusAfter(command.change, state.status) === undefined) return 'account_status_conflict';
  // A closed account may hold no money and no holds: nothing would ever release them.
  if (command.change === 'close' && (state.balance !== 0n || state.held !== 0n)) {
    return 'account_not_empty';
  }
  return undefined;
}
