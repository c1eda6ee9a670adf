import type {
  EpochMillis,
  Leg,
  PendingPosted,
  PendingVoided,
  TransferPending,
} from '@ledger/schemas';
import {
  mergeAccount,
  mergeHistory,
  mergeTransfer,
  type AccountHistoryRow,
  type AccountViewRow,
  type TransferViewRow,
} from './readModelRows.ts';

/** The maps one batch's rows are merged into (readModelProjection.ts). */
export interface ProjectionMaps {
  readonly accounts: Map<string, AccountViewRow>;
  readonly history: Map<string, AccountHistoryRow>;
  readonly transfers: Map<string, TransferViewRow>;
}

/**
 * One entry on one account (a posting's leg, a hold, a release): the account's newest state and
 * its history row. The one place both are built, for every event that adds entries.
 */
export function mergeEntry(
  maps: Pick<ProjectionMaps, 'accounts' | 'history'>,
  entry: {
    readonly transferId: string;
    readonly currency: string;
    readonly occurredAt: EpochMillis;
  },
  leg: Leg,
  kind: AccountHistoryRow['kind'],
  direction: AccountHistoryRow['direction'],
  amount: bigint,
  counterpartyAccountId: string,
): void {
  const heldAfter = leg.heldAfter ?? 0n;
  mergeAccount(maps.accounts, {
    accountId: leg.accountId,
    currency: entry.currency,
    balance: leg.balanceAfter,
    held: heldAfter,
    version: leg.version,
    updatedAtMs: entry.occurredAt,
    opening: null,
  });
  mergeHistory(maps.history, {
    accountId: leg.accountId,
    version: leg.version,
    transferId: entry.transferId,
    kind,
    direction,
    amount,
    balanceAfter: leg.balanceAfter,
    heldAfter,
    counterpartyAccountId,
    postedAtMs: entry.occurredAt,
  });
}

/** A posting's two entries: the debit on the payer, the credit on the payee, both 'posted'. */
export function mergePosting(
  maps: Pick<ProjectionMaps, 'accounts' | 'history'>,
  entry: Parameters<typeof mergeEntry>[1],
  posting: {
    readonly fromAccountId: string;
    readonly toAccountId: string;
    readonly amount: bigint;
    readonly debit: Leg;
    readonly credit: Leg;
  },
): void {
  const { fromAccountId, toAccountId, amount } = posting;
  mergeEntry(maps, entry, posting.debit, 'posted', 'debit', amount, toAccountId);
  mergeEntry(maps, entry, posting.credit, 'posted', 'credit', amount, fromAccountId);
}

/**
 * The rows of a pending transfer's events: a hold is an entry on the paying account (kind
 * `pending`, its balance unchanged, its held amount up) and a `pending` transfer row; a post is
 * a posting of both accounts and turns the row `posted` with the amount posted; a void or an
 * expiry is a release entry on the paying account and turns the row `voided` / `expired`.
 */
export function projectPendingEvent(
  payload: TransferPending | PendingPosted | PendingVoided,
  occurredAt: EpochMillis,
  maps: ProjectionMaps,
): void {
  const entry = { transferId: payload.transferId, currency: payload.currency, occurredAt };
  const row = {
    transferId: payload.transferId,
    fromAccountId: payload.fromAccountId,
    toAccountId: payload.toAccountId,
    currency: payload.currency,
    code: null,
    decidedAtMs: occurredAt,
  };
  switch (payload.type) {
    case 'TransferPending':
      mergeEntry(
        maps,
        entry,
        payload.debit,
        'pending',
        'debit',
        payload.amount,
        payload.toAccountId,
      );
      mergeTransfer(maps.transfers, {
        ...row,
        status: 'pending',
        amount: payload.amount,
        postedAtMs: null,
        pendingAmount: payload.amount,
        ...(payload.expiresAt === undefined ? {} : { expiresAtMs: payload.expiresAt }),
      });
      return;
    case 'PendingPosted':
      mergePosting(maps, entry, payload);
      mergeTransfer(maps.transfers, {
        ...row,
        status: 'posted',
        amount: payload.amount,
        postedAtMs: occurredAt,
        pendingAmount: payload.pendingAmount,
        settles: true,
      });
      return;
    case 'PendingVoided':
      mergeEntry(
        maps,
        entry,
        payload.debit,
        payload.reason,
        'debit',
        payload.amount,
        payload.toAccountId,
      );
      mergeTransfer(maps.transfers, {
        ...row,
        status: payload.reason,
        amount: payload.amount,
        postedAtMs: null,
        pendingAmount: payload.amount,
        settles: true,
      });
      return;
  }
}
