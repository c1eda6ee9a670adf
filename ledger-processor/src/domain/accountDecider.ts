import { invariant } from './invariant.ts';
import type { AccountState } from './accountState.ts';
import type { OpenAccount } from './commands.ts';
import type { AccountOpened, AccountOpenRejected } from './events.ts';

/** Time and ids come in from the caller: the deciders read no clock and draw no randomness. */
export interface DecisionContext {
  readonly nowMs: number;
  readonly nextEventId: () => string;
}

export type OpenAccountDecision =
  | { readonly kind: 'opened'; readonly event: AccountOpened }
  /** Same accountId, same content: the first opening's outcome is replayed, nothing is written. */
  | { readonly kind: 'duplicate'; readonly first: AccountState }
  | { readonly kind: 'rejected'; readonly event: AccountOpenRejected };

/**
 * Opens an account unless its id is taken. An OpenAccount is idempotent by accountId
 * (docs/contract.md): the id's first opening owns it, a repeat with the same content is a replay
 * and anything else is account_exists. Comparing request hashes rather than fields keeps "the same
 * body" defined in one place (the command API's canonical form).
 */
export function decideOpenAccount(
  command: OpenAccount,
  state: AccountState | undefined,
  context: DecisionContext,
): OpenAccountDecision {
  invariant(
    state === undefined || state.accountId === command.accountId,
    () => `decideOpenAccount(${command.accountId}) was given the state of ${state?.accountId}`,
  );
  if (state?.openRequestHash === command.requestHash) return { kind: 'duplicate', first: state };
  // Drawn only once an event is certain, so a replay consumes no id.
  const envelope = {
    eventId: context.nextEventId(),
    commandId: command.commandId,
    occurredAtMs: context.nowMs,
    requestHash: command.requestHash,
  };
  if (state !== undefined) {
    return {
      kind: 'rejected',
      event: {
        ...envelope,
        type: 'AccountOpenRejected',
        accountId: command.accountId,
        code: 'account_exists',
      },
    };
  }
  return {
    kind: 'opened',
    event: {
      ...envelope,
      type: 'AccountOpened',
      accountId: command.accountId,
      currency: command.currency,
      overdraftLimit: command.overdraftLimit,
      status: 'open',
      metadata: command.metadata,
      version: 1,
      balance: 0n,
    },
  };
}
