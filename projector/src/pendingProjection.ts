import type { EpochMillis, PendingPosted, PendingVoided, TransferPending } from '@ledger/schemas';
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
  const entry = (
    leg: TransferPending['debit'],
    kind: AccountHistoryRow['kind'],
    direction: AccountHistoryRow['direction'],
    amount: bigint,
    counterpartyAccountId: string,
  ) => {
    mergeAccount(maps.accounts, {
      accountId: leg.accountId,
      currency: payload.currency,
      balance: leg.balanceAfter,
      held: leg.heldAfter ?? 0n,
      version: leg.version,
      updatedAtMs: occurredAt,
      opening: null,
    });
    mergeHistory(maps.history, {
      accountId: leg.accountId,
      version: leg.version,
      transferId: payload.transferId,
      kind,
      direction,
      amount,
      balanceAfter: leg.balanceAfter,
      heldAfter: leg.heldAfter ?? 0n,
      counterpartyAccountId,
      postedAtMs: occurredAt,
    });
  };
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
      entry(payload.debit, 'pending', 'debit', payload.amount, payload.toAccountId);
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
      entry(payload.debit, 'posted', 'debit', payload.amount, payload.toAccountId);
      entry(payload.credit, 'posted', 'credit', payload.amount, payload.fromAccountId);
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
      entry(payload.debit, payload.reason, 'debit', payload.amount, payload.toAccountId);
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
