import { currencyPattern, idPattern, requestHashPattern } from '@ledger/schemas/fieldRules';
import { amountMax } from './bounds.ts';
import { assertNever, type DomainCommand } from './commands.ts';

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
    metadataProblem(command.metadata);
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
        (command.reversalOf === undefined ? undefined : idProblem(command.reversalOf, 'reversalOf'))
      );
    default:
      return assertNever(command, 'command');
  }
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
