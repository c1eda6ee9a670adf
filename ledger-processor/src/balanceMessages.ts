import type { BalanceChanged, LedgerEvent, LedgerSerde, Leg } from '@ledger/schemas';
import type { Message } from 'kafkajs';

/**
 * The `ledger.balances` changelog is published by the processor, from the events it decided, in
 * the same produce request as the events themselves (docs/architecture.md "The read path"): a
 * query-api cache learns a balance one Kafka hop after the commit that made it, with no read-model
 * transaction in between. Every version is published (the WebSocket stream promises each one in
 * order per account). One instance publishes in commit order; what another instance may publish
 * out of order is caught up after each publish (balanceCatchUp.ts), so once writes stop the last
 * message of every key — what compaction keeps — is the account's newest balance.
 */

/** Event types that move a balance: the only ones worth decoding on a drain. */
export const balanceEventTypes: ReadonlySet<string> = new Set([
  'AccountOpened',
  'TransferPosted',
  'TransferPending',
  'PendingPosted',
  'PendingVoided',
]);

/** The balances an event leaves behind, one per account it touched, in leg order. */
export function balanceChangesOf(event: LedgerEvent): BalanceChanged[] {
  const { payload } = event;
  switch (payload.type) {
    case 'AccountOpened':
      return [
        {
          accountId: payload.accountId,
          currency: payload.currency,
          balance: payload.balance,
          available: payload.balance,
          version: payload.version,
          updatedAt: event.occurredAt,
        },
      ];
    case 'TransferPosted':
    case 'PendingPosted':
      return [payload.debit, payload.credit].map((leg) => legBalance(leg, payload.currency, event));
    case 'TransferPending':
    case 'PendingVoided':
      return [legBalance(payload.debit, payload.currency, event)];
    case 'TransferRejected':
    case 'AccountOpenRejected':
    case 'SettlementRejected':
      return [];
  }
}

/** An entry's account after it; events before holds (v3) carry no held amount: none was held. */
function legBalance(leg: Leg, currency: string, event: LedgerEvent): BalanceChanged {
  return {
    accountId: leg.accountId,
    currency,
    balance: leg.balanceAfter,
    available: leg.balanceAfter - (leg.heldAfter ?? 0n),
    version: leg.version,
    updatedAt: event.occurredAt,
  };
}

/** The changelog message of one balance: keyed by account, with the trace context it came from. */
export function balanceMessage(
  serde: Pick<LedgerSerde, 'encodeBalance'>,
  change: BalanceChanged,
  traceparent: string | undefined,
): Message {
  return {
    key: change.accountId,
    value: serde.encodeBalance(change),
    headers: traceparent === undefined ? {} : { traceparent },
  };
}
