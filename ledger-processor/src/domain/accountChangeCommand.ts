import { invariant } from './invariant.ts';
import { decideAccountChange } from './accountChangeDecider.ts';
import type { DecisionContext } from './accountDecider.ts';
import type { BatchLedger } from './batchLedger.ts';
import { assertNever, type ChangeAccount } from './commands.ts';
import { replayDecision, type Decided } from './decided.ts';
import type { AccountChangeRecord, CommandOutcome } from './records.ts';

/**
 * A ChangeAccount against the batch's ledger: decided on the account as the commands before it
 * in the batch left it (a freeze earlier in the batch refuses a later transfer; a transfer that
 * emptied the account lets a later close go ahead), and against the accepted change that owns
 * its (accountId, idempotencyKey), from an earlier batch or this one.
 */
export function decideChangeCommand(
  command: ChangeAccount,
  ledger: BatchLedger,
  context: DecisionContext,
): Decided {
  const base = {
    commandId: command.commandId,
    kind: 'account_change',
    subjectId: command.accountId,
    balances: {},
    replayOf: undefined,
    decidedAtMs: context.nowMs,
  } as const;
  const prior = ledger.accountChangeByKey(command.accountId, command.idempotencyKey);
  const state = ledger.account(command.accountId);
  const decision = decideAccountChange(command, state, prior, context);
  switch (decision.kind) {
    case 'duplicate': {
      // The revision is the row's: an outcome read back from command_outcomes does not hold it.
      const { record, outcome } = decision.first;
      return replayDecision(command, { ...outcome, revision: record.revision }, context.nowMs);
    }
    case 'conflict': {
      const outcome: CommandOutcome = {
        ...base,
        status: 'rejected',
        code: 'idempotency_conflict',
        versions: {},
      };
      return { decision: { kind: 'conflict', command, outcome }, isNew: true };
    }
    case 'rejected': {
      const { event } = decision;
      const outcome: CommandOutcome = {
        ...base,
        status: 'rejected',
        code: event.code,
        versions: {},
      };
      return { decision: { kind: 'rejected', command, outcome, event }, isNew: true };
    }
    case 'changed': {
      const { event } = decision;
      invariant(state !== undefined, () => `${command.commandId} changed a missing account`);
      const outcome: CommandOutcome = {
        ...base,
        status: 'applied',
        code: undefined,
        // A change is not an entry: the account's version stays, and is reported as it is.
        versions: { [command.accountId]: state.version },
        revision: event.revision,
      };
      const accountChange: AccountChangeRecord = {
        accountId: event.accountId,
        revision: event.revision,
        version: event.version,
        commandId: event.commandId,
        idempotencyKey: event.idempotencyKey,
        requestHash: event.requestHash,
        change: event.change,
        status: event.status,
        metadata: event.metadata,
        changedAtMs: event.occurredAtMs,
      };
      return {
        decision: { kind: 'applied', command, outcome, event },
        accountChange,
        isNew: true,
      };
    }
    default:
      return assertNever(decision, 'account-change decision');
  }
}
