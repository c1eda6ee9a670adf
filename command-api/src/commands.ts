import type { CommandPayload, LedgerCommand } from '@ledger/schemas';

/**
 * A validated command as this service holds it: the wire envelope of @ledger/schemas without
 * the traceparent, which belongs to the request that publishes it (set by the producer).
 * `requestHash` identifies the request's content, so a replay of the same body is recognised.
 */
export type AcceptedCommand<Payload extends CommandPayload = CommandPayload> = Omit<
  LedgerCommand<Payload>,
  'traceparent'
>;

/** The account whose funds or existence the command checks: the Kafka key (docs/contract.md, topics). */
export function partitionKeyOf(command: AcceptedCommand): string {
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
    case 'ChangeAccount':
      // A change goes where the account's postings go: one processor decides both, in order.
      return payload.accountId;
    case 'Transfer':
    case 'SettlePending':
      // A settlement goes where its pending transfer went: one processor decides both, in order.
      return payload.fromAccountId;
    default:
      return assertNever(payload);
  }
}

/** The id the client knows the command's subject by (returned in every response). */
export function subjectOf(command: AcceptedCommand): {
  field: 'accountId' | 'transferId';
  id: string;
} {
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
    case 'ChangeAccount':
      return { field: 'accountId', id: payload.accountId };
    case 'Transfer':
    case 'SettlePending':
      return { field: 'transferId', id: payload.transferId };
    default:
      return assertNever(payload);
  }
}

/**
 * Every account the command names, by field (`where` prefixes the field, e.g. a batch item's
 * `transfers[3].`): what an API key's tenant must cover (runtime's checkAccounts).
 */
export function accountsOf(command: AcceptedCommand, where = ''): [string, string][] {
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
    case 'ChangeAccount':
      return [[`${where}accountId`, payload.accountId]];
    case 'Transfer':
    case 'SettlePending':
      return [
        [`${where}fromAccountId`, payload.fromAccountId],
        [`${where}toAccountId`, payload.toAccountId],
      ];
    default:
      return assertNever(payload);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
