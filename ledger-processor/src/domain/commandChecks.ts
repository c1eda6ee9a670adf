import {
  currencyPattern,
  idPattern,
  pendingTimeoutSecondsMax,
  requestHashPattern,
  settlementActions,
} from '@ledger/schemas/fieldRules';
import { amountMax, versionMax } from './bounds.ts';
import {
  accountChangeKinds,
  assertNever,
  type ChangeAccount,
  type DomainCommand,
  type PendingTerms,
  type SettlePending,
} from './commands.ts';

/**
 * What must hold of a command before a decider may see it. The wire decoder validates the same
 * rules; the processor shell calls this after decoding and sends a failing command to the DLQ
 * (docs/architecture.md: never block the partition). The batch decider then asserts it: reaching a
 * decider with a failing command is a bug in the shell, not a client's mistake.
 */
export function commandProblem(command: DomainCommand): string | undefined {
  const envelope =
    idProblem(command.commandId, 'commandId') ??
    idProblem(command.idempotencyKey, 'idempotencyKey') ??
    (requestHashPattern.test(command.requestHash) ? undefined : 'requestHash is not sha-256 hex') ??
    // A ChangeAccount's metadata is optional: changeProblem checks it.
    (command.type !== 'ChangeAccount' && 'metadata' in command
      ? metadataProblem(command.metadata)
      : undefined);
  if (envelope !== undefined) return envelope;
  switch (command.type) {
    case 'OpenAccount':
      return (
        idProblem(command.accountId, 'accountId') ??
        currencyProblem(command.currency) ??
        rangeProblem(command.overdraftLimit, 0n, 'overdraftLimit')
      );
    case 'Transfer':
      return (
        idProblem(command.transferId, 'transferId') ??
        idProblem(command.fromAccountId, 'fromAccountId') ??
        idProblem(command.toAccountId, 'toAccountId') ??
        currencyProblem(command.currency) ??
        rangeProblem(command.amount, 1n, 'amount') ??
        (command.reversalOf === undefined
          ? undefined
          : idProblem(command.reversalOf, 'reversalOf')) ??
        (command.pending === undefined
          ? undefined
          : pendingProblem(command.pending, command.reversalOf))
      );
    case 'SettlePending':
      return (
        idProblem(command.transferId, 'transferId') ??
        idProblem(command.fromAccountId, 'fromAccountId') ??
        idProblem(command.toAccountId, 'toAccountId') ??
        settlementProblem(command)
      );
    case 'ChangeAccount':
      return idProblem(command.accountId, 'accountId') ?? changeProblem(command);
    default:
      return assertNever(command, 'command');
  }
}

function pendingProblem(pending: PendingTerms, reversalOf: string | undefined): string | undefined {
  if (reversalOf !== undefined) return 'a reversal is never pending';
  const { timeoutSeconds } = pending;
  return timeoutSeconds === undefined ||
    (Number.isSafeInteger(timeoutSeconds) &&
      timeoutSeconds >= 1 &&
      timeoutSeconds <= pendingTimeoutSecondsMax)
    ? undefined
    : `timeoutSeconds is outside [1, ${pendingTimeoutSecondsMax}]`;
}

function settlementProblem(command: SettlePending): string | undefined {
  if (!(settlementActions as readonly string[]).includes(command.action)) {
    return `action is not one of ${settlementActions.join(', ')}`;
  }
  if (command.amount !== undefined && command.action !== 'post') return 'only a post has an amount';
  if (command.amount !== undefined) {
    const problem = rangeProblem(command.amount, 1n, 'amount');
    if (problem !== undefined) return problem;
  }
  const timed =
    command.asOfMs !== undefined && Number.isSafeInteger(command.asOfMs) && command.asOfMs >= 0;
  return timed === (command.action === 'expire') ? undefined : 'asOf is set exactly on an expire';
}

function changeProblem(command: ChangeAccount): string | undefined {
  if (!(accountChangeKinds as readonly string[]).includes(command.change)) {
    return `change is not one of ${accountChangeKinds.join(', ')}`;
  }
  const { metadata, expectedRevision } = command;
  if ((metadata !== undefined) !== (command.change === 'update_metadata')) {
    return 'metadata is set exactly on an update_metadata';
  }
  const problem = metadata === undefined ? undefined : metadataProblem(metadata);
  if (problem !== undefined) return problem;
  return expectedRevision === undefined ||
    (Number.isSafeInteger(expectedRevision) &&
      expectedRevision >= 1 &&
      expectedRevision <= versionMax)
    ? undefined
    : `expectedRevision is outside [1, ${versionMax}]`;
}

function idProblem(value: string, field: string): string | undefined {
  return typeof value === 'string' && idPattern.test(value)
    ? undefined
    : `${field} does not match ${idPattern.source}`;
}

function currencyProblem(value: string): string | undefined {
  return typeof value === 'string' && currencyPattern.test(value)
    ? undefined
    : 'currency is not an ISO 4217 alphabetic code';
}

function rangeProblem(value: bigint, min: bigint, field: string): string | undefined {
  return typeof value === 'bigint' && value >= min && value <= amountMax
    ? undefined
    : `${field} is outside [${min}, ${amountMax}]`;
}

function metadataProblem(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return 'metadata is not an object';
  }
  const allStrings = Object.values(metadata).every((value) => typeof value === 'string');
  return allStrings ? undefined : 'metadata has a value that is not a string';
}
