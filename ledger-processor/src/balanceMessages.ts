import { assert } from '@ledger/runtime';
import type { BalanceChanged, EventPayload, LedgerEvent, LedgerSerde, Leg } from '@ledger/schemas';
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

/**
 * Event types that publish a balance: the only ones worth decoding on a drain. An AccountChanged
 * moves none, but its account's revision: its BalanceChanged (balance, available and version as
 * they were, the new revision) is how caches learn that status and metadata changed.
 */
export const balanceEventTypes: ReadonlySet<string> = new Set([
  'AccountOpened',
  'TransferPosted',
  'TransferPending',
  'PendingPosted',
  'PendingVoided',
  'AccountChanged',
]);

/** What a batch knows of an account before its events: the snapshot's AccountState fits. */
export interface AccountBefore {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: bigint;
  readonly held: bigint;
  readonly version: number;
  readonly revision: number;
}

/**
 * The balances of one batch's events, event by event in decision order, each with its account's
 * revision at that point (the feed then always says it, and its last message per key — what
 * compaction keeps — is the account's whole state). Follows each account from its state before
 * the batch (`accounts`, the snapshot) through the batch's entries and changes: an
 * AccountChanged carries no balance, so its BalanceChanged takes the balance, held amount and
 * version the account had there. An ordinary batch pays a map lookup per leg.
 */
export function batchBalances(
  accounts: readonly AccountBefore[],
): (event: LedgerEvent) => BalanceChanged[] {
  const before = new Map(accounts.map((account) => [account.accountId, account]));
  /** Per account the batch made an entry on: its latest leg. */
  const lastLeg = new Map<string, Leg>();
  /** Per account the batch changed: its revision after its latest change. */
  const revisions = new Map<string, number>();
  const revisionOf = (accountId: string): number =>
    revisions.get(accountId) ?? before.get(accountId)?.revision ?? 1;
  return (event) => {
    const { payload } = event;
    if (payload.type === 'AccountChanged') {
      const { accountId, revision, version } = payload;
      const account = before.get(accountId);
      assert(account !== undefined, `AccountChanged of ${accountId}, unknown to its batch`);
      const leg = lastLeg.get(accountId);
      const balance = leg === undefined ? account.balance : leg.balanceAfter;
      const held = leg === undefined ? account.held : (leg.heldAfter ?? 0n);
      assert(
        version === (leg === undefined ? account.version : leg.version),
        `AccountChanged of ${accountId} states version ${version}, not the batch's`,
      );
      revisions.set(accountId, revision);
      const available = balance - held;
      const { currency } = account;
      return [
        { accountId, currency, balance, available, version, revision, updatedAt: event.occurredAt },
      ];
    }
    if (payload.type === 'AccountOpened') {
      // Opened by this batch: a later change finds it as opened, or as its legs left it.
      before.set(payload.accountId, {
        accountId: payload.accountId,
        currency: payload.currency,
        balance: payload.balance,
        held: 0n,
        version: payload.version,
        revision: 1,
      });
    } else {
      for (const leg of legsOf(payload)) lastLeg.set(leg.accountId, leg);
    }
    return balanceChangesOf(event, revisionOf);
  };
}

/**
 * The balances an event leaves behind, one per account it touched, in leg order, with the
 * revision `revisionOf` gives (absent without it: a drained event states none). An
 * AccountChanged states no balance: its BalanceChanged comes from `batchBalances` in memory, and
 * from the ledger on a drain (balanceCatchUp.ts `loadChangedBalance`).
 */
export function balanceChangesOf(
  event: LedgerEvent,
  revisionOf?: (accountId: string) => number,
): BalanceChanged[] {
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
          ...(revisionOf === undefined ? {} : { revision: revisionOf(payload.accountId) }),
          updatedAt: event.occurredAt,
        },
      ];
    case 'TransferPosted':
    case 'PendingPosted':
    case 'TransferPending':
    case 'PendingVoided':
      return legsOf(payload).map((leg) => legBalance(leg, payload.currency, event, revisionOf));
    case 'TransferRejected':
    case 'AccountOpenRejected':
    case 'SettlementRejected':
    case 'AccountChanged':
    case 'AccountChangeRejected':
      return [];
  }
}

/** The legs of an entry's event, debit first; none for the others. */
function legsOf(payload: EventPayload): Leg[] {
  switch (payload.type) {
    case 'TransferPosted':
    case 'PendingPosted':
      return [payload.debit, payload.credit];
    case 'TransferPending':
    case 'PendingVoided':
      return [payload.debit];
    case 'AccountOpened':
    case 'TransferRejected':
    case 'AccountOpenRejected':
    case 'SettlementRejected':
    case 'AccountChanged':
    case 'AccountChangeRejected':
      return [];
  }
}

/** An entry's account after it; events before holds (v3) carry no held amount: none was held. */
function legBalance(
  leg: Leg,
  currency: string,
  event: LedgerEvent,
  revisionOf: ((accountId: string) => number) | undefined,
): BalanceChanged {
  return {
    accountId: leg.accountId,
    currency,
    balance: leg.balanceAfter,
    available: leg.balanceAfter - (leg.heldAfter ?? 0n),
    version: leg.version,
    ...(revisionOf === undefined ? {} : { revision: revisionOf(leg.accountId) }),
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
