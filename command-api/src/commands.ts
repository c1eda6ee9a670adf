import type { Metadata } from './validation/metadataValidator.ts';

/**
 * The commands this service accepts, after validation. `requestHash` identifies the request's
 * content (not its generated ids), so a replay of the same body is recognised as such.
 */
export type LedgerCommand = OpenAccountCommand | TransferCommand;
export type CommandType = LedgerCommand['type'];

interface CommandEnvelope {
  readonly commandId: string;
  /** Transfers: Idempotency-Key header or transferId. Accounts: the accountId. */
  readonly idempotencyKey: string;
  /** sha-256 hex of the canonical JSON of the validated request content. */
  readonly requestHash: string;
  /** Milliseconds since the epoch, from the injected clock. */
  readonly receivedAtMs: number;
}

export interface OpenAccountCommand extends CommandEnvelope {
  readonly type: 'OpenAccount';
  readonly accountId: string;
  readonly currency: string;
  readonly overdraftLimit: bigint;
  readonly metadata: Metadata;
}

export interface TransferCommand extends CommandEnvelope {
  readonly type: 'Transfer';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
}

/** The account whose funds or existence the command checks: the Kafka key (API.md topics). */
export function partitionKeyOf(command: LedgerCommand): string {
  switch (command.type) {
    case 'OpenAccount':
      return command.accountId;
    case 'Transfer':
      return command.fromAccountId;
    default:
      return assertNever(command);
  }
}

/** The id the client knows the command's subject by (returned in every response). */
export function subjectOf(command: LedgerCommand): {
  field: 'accountId' | 'transferId';
  id: string;
} {
  switch (command.type) {
    case 'OpenAccount':
      return { field: 'accountId', id: command.accountId };
    case 'Transfer':
      return { field: 'transferId', id: command.transferId };
    default:
      return assertNever(command);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
