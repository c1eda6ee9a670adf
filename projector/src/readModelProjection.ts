import { assert } from '@ledger/runtime';
import type { EventType, LedgerEvent } from '@ledger/schemas';
import { mergePosting, projectPendingEvent } from './pendingProjection.ts';
import {
  compareKeys,
  mergeAccount,
  mergeSettings,
  mergeTransfer,
  type AccountHistoryRow,
  type AccountSettingsRow,
  type AccountViewRow,
  type ReadModelChanges,
  type TransferViewRow,
} from './readModelRows.ts';

export type * from './readModelRows.ts';
export { compareKeys } from './readModelRows.ts';

/**
 * The projection as a pure function: a batch of events in, the read-model rows they imply out.
 * No I/O and no clock, so every rule about order and duplicates is unit-tested here, and the live
 * projector and the rebuild produce the same rows from the same events.
 *
 * What the rows must survive (see docs/architecture.md "The read path"):
 * - Duplicates: the processor's outbox relay is at-least-once, so an event may come twice.
 *   Rows are keyed by what identifies a fact (account + version, transferId), so a copy merges
 *   into the same row here and is ignored by the database (`on conflict do nothing`).
 * - Out-of-order versions: a TransferPosted's credit leg is published in the partition of its
 *   from-account, so one account's versions arrive from several partitions. The account row
 *   carries the highest version of the batch; the store only writes it over an older one.
 * - Settings changes (AccountChanged: status, metadata) move the revision, not the version, and
 *   come only from the account's own partition, after its AccountOpened. The settings row carries
 *   the highest revision of the batch; the store only writes it over a lower one, so a
 *   redelivered older change never undoes a newer one.
 * Every timestamp is an event's occurredAt, so a replay reproduces the rows exactly.
 */

export function projectEvents(events: readonly LedgerEvent[]): ReadModelChanges {
  const accounts = new Map<string, AccountViewRow>();
  const settings = new Map<string, AccountSettingsRow>();
  const history = new Map<string, AccountHistoryRow>();
  const transfers = new Map<string, TransferViewRow>();
  const eventCounts: Record<EventType, number> = {
    AccountOpened: 0,
    TransferPosted: 0,
    TransferRejected: 0,
    AccountOpenRejected: 0,
    TransferPending: 0,
    PendingPosted: 0,
    PendingVoided: 0,
    SettlementRejected: 0,
    AccountChanged: 0,
    AccountChangeRejected: 0,
  };
  for (const event of events) {
    const { payload, occurredAt } = event;
    eventCounts[payload.type] += 1;
    switch (payload.type) {
      case 'AccountOpened': {
        assert(
          payload.version === 1,
          `AccountOpened ${payload.accountId} at version ${payload.version}`,
        );
        mergeAccount(accounts, {
          accountId: payload.accountId,
          currency: payload.currency,
          balance: payload.balance,
          held: 0n,
          version: payload.version,
          updatedAtMs: occurredAt,
          opening: {
            overdraftLimit: payload.overdraftLimit,
            status: 'open',
            metadata: payload.metadata,
            createdAtMs: occurredAt,
          },
        });
        break;
      }
      case 'TransferPosted': {
        assert(
          payload.debit.accountId === payload.fromAccountId &&
            payload.credit.accountId === payload.toAccountId,
          `TransferPosted ${payload.transferId}: legs do not match its accounts`,
        );
        const entry = { transferId: payload.transferId, currency: payload.currency, occurredAt };
        const maps = { accounts, history, transfers };
        mergePosting(maps, entry, payload);
        mergeTransfer(transfers, {
          transferId: payload.transferId,
          status: 'posted',
          fromAccountId: payload.fromAccountId,
          toAccountId: payload.toAccountId,
          amount: payload.amount,
          currency: payload.currency,
          code: null,
          postedAtMs: occurredAt,
          decidedAtMs: occurredAt,
          ...(payload.reversalOf === undefined ? {} : { reversalOf: payload.reversalOf }),
        });
        break;
      }
      case 'TransferRejected':
        mergeTransfer(transfers, {
          transferId: payload.transferId,
          status: 'rejected',
          fromAccountId: payload.fromAccountId,
          toAccountId: payload.toAccountId,
          amount: payload.amount,
          currency: payload.currency,
          code: payload.code,
          postedAtMs: null,
          decidedAtMs: occurredAt,
          ...(payload.reversalOf === undefined ? {} : { reversalOf: payload.reversalOf }),
        });
        break;
      case 'AccountChanged':
        assert(
          payload.revision >= 2,
          `AccountChanged ${payload.accountId} at revision ${payload.revision}`,
        );
        mergeSettings(settings, {
          accountId: payload.accountId,
          status: payload.status,
          metadata: payload.metadata,
          revision: payload.revision,
        });
        break;
      case 'AccountOpenRejected':
      case 'SettlementRejected':
      case 'AccountChangeRejected':
        // Nothing changed: a refused second opening, settlement or account change changes no
        // read model.
        break;
      case 'TransferPending':
      case 'PendingPosted':
      case 'PendingVoided':
        projectPendingEvent(payload, occurredAt, { accounts, history, transfers });
        break;
      default:
        payload satisfies never;
    }
  }
  return {
    accounts: [...accounts.values()].sort((a, b) => compareKeys(a.accountId, b.accountId)),
    settings: [...settings.values()].sort((a, b) => compareKeys(a.accountId, b.accountId)),
    history: [...history.values()].sort(
      (a, b) => compareKeys(a.accountId, b.accountId) || a.version - b.version,
    ),
    transfers: [...transfers.values()].sort((a, b) => compareKeys(a.transferId, b.transferId)),
    eventCounts,
  };
}
