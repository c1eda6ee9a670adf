import type * as wire from '@ledger/schemas';
import { assertNever, type DomainCommand, type DomainEvent } from './domain/index.ts';

/**
 * The processor's domain types are the wire types flattened (envelope fields beside the payload),
 * so the mapping is field for field. It lives here, at the edge, so the deciders never import the
 * wire contract and the wire contract never learns about decisions.
 */
export function commandFromWire(command: wire.LedgerCommand): DomainCommand {
  const envelope = {
    commandId: command.commandId,
    idempotencyKey: command.idempotencyKey,
    requestHash: command.requestHash,
    receivedAtMs: command.receivedAt,
  };
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
      return { ...envelope, ...payload };
    case 'Transfer':
      return { ...envelope, ...payload };
    default:
      return assertNever(payload, 'command payload');
  }
}

export function eventToWire(event: DomainEvent): wire.LedgerEvent {
  return {
    eventId: event.eventId,
    commandId: event.commandId,
    occurredAt: event.occurredAtMs,
    payload: eventPayloadToWire(event),
  };
}

function eventPayloadToWire(event: DomainEvent): wire.EventPayload {
  switch (event.type) {
    case 'AccountOpened':
      return {
        type: event.type,
        accountId: event.accountId,
        currency: event.currency,
        overdraftLimit: event.overdraftLimit,
        metadata: event.metadata,
        version: event.version,
        balance: event.balance,
      };
    case 'AccountOpenRejected':
      return { type: event.type, accountId: event.accountId, code: event.code };
    case 'TransferPosted':
      return {
        type: event.type,
        transferId: event.transferId,
        fromAccountId: event.fromAccountId,
        toAccountId: event.toAccountId,
        amount: event.amount,
        currency: event.currency,
        metadata: event.metadata,
        debit: event.debit,
        credit: event.credit,
        ...(event.reversalOf === undefined ? {} : { reversalOf: event.reversalOf }),
      };
    case 'TransferRejected':
      return {
        type: event.type,
        transferId: event.transferId,
        fromAccountId: event.fromAccountId,
        toAccountId: event.toAccountId,
        amount: event.amount,
        currency: event.currency,
        code: event.code,
        ...(event.reversalOf === undefined ? {} : { reversalOf: event.reversalOf }),
      };
    default:
      return assertNever(event, 'event');
  }
}
