import type * as wire from '@ledger/schemas';
import {
  assertNever,
  type DomainCommand,
  type DomainEvent,
  type PostingLeg,
} from './domain/index.ts';

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
    case 'SettlePending': {
      const { asOf, ...settlement } = payload;
      return { ...envelope, ...settlement, ...(asOf === undefined ? {} : { asOfMs: asOf }) };
    }
    case 'ChangeAccount':
      // The key is the envelope's: the Idempotency-Key header, else the command id.
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
        debit: plainLeg(event.debit),
        credit: plainLeg(event.credit),
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
    case 'TransferPending':
      return {
        type: event.type,
        transferId: event.transferId,
        fromAccountId: event.fromAccountId,
        toAccountId: event.toAccountId,
        amount: event.amount,
        currency: event.currency,
        metadata: event.metadata,
        debit: event.debit,
        ...(event.expiresAtMs === undefined ? {} : { expiresAt: event.expiresAtMs }),
      };
    case 'PendingPosted':
      return {
        type: event.type,
        ...settlementSubject(event),
        amount: event.amount,
        pendingAmount: event.pendingAmount,
        currency: event.currency,
        debit: event.debit,
        credit: event.credit,
      };
    case 'PendingVoided':
      return {
        type: event.type,
        ...settlementSubject(event),
        amount: event.amount,
        currency: event.currency,
        reason: event.reason,
        debit: event.debit,
      };
    case 'SettlementRejected':
      return {
        type: event.type,
        ...settlementSubject(event),
        action: event.action,
        ...(event.amount === undefined ? {} : { amount: event.amount }),
        code: event.code,
      };
    case 'AccountChanged':
      return {
        type: event.type,
        accountId: event.accountId,
        change: event.change,
        status: event.status,
        metadata: event.metadata,
        revision: event.revision,
        version: event.version,
      };
    case 'AccountChangeRejected':
      return {
        type: event.type,
        accountId: event.accountId,
        change: event.change,
        code: event.code,
      };
    default:
      return assertNever(event, 'event');
  }
}

function settlementSubject(event: {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
}) {
  return {
    transferId: event.transferId,
    fromAccountId: event.fromAccountId,
    toAccountId: event.toAccountId,
  };
}

/**
 * An ordinary posting's leg on the wire: `heldAfter` only when the account holds something, so
 * a ledger without pending transfers writes exactly the bytes it wrote before v3 (absent reads
 * as 0, schemas' Leg). The events of holds always carry it.
 */
function plainLeg(leg: PostingLeg): wire.Leg {
  const { heldAfter, ...rest } = leg;
  return heldAfter === 0n ? rest : leg;
}
