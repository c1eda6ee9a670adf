import type {
  AccountChange,
  AccountChangeRejectionCode,
  AccountStatus,
  LedgerEvent,
  Metadata,
  TransferRejectionCode,
} from '@ledger/schemas';

/** Builders for ledger.events payloads as the processor decides them; times are fixed numbers. */
let sequence = 0;
const nextId = () => `evt-${(sequence += 1)}`;

export function opened(accountId: string, occurredAt: number, overdraftLimit = 0n): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-open-${accountId}`,
    occurredAt,
    payload: {
      type: 'AccountOpened',
      accountId,
      currency: 'USD',
      overdraftLimit,
      metadata: { name: accountId },
      version: 1,
      balance: 0n,
    },
  };
}

export interface LegState {
  readonly balanceAfter: bigint;
  readonly version: number;
}

/** One side of a posting: the account's balance and version after it. */
export const leg = (balanceAfter: bigint, version: number): LegState => ({ balanceAfter, version });

export function posted(
  transferId: string,
  from: string,
  to: string,
  amount: bigint,
  debit: LegState,
  credit: LegState,
  occurredAt: number,
): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-${transferId}`,
    occurredAt,
    payload: {
      type: 'TransferPosted',
      transferId,
      fromAccountId: from,
      toAccountId: to,
      amount,
      currency: 'USD',
      metadata: {},
      debit: { accountId: from, ...debit },
      credit: { accountId: to, ...credit },
    },
  };
}

export function rejected(
  transferId: string,
  from: string,
  to: string,
  amount: bigint,
  code: TransferRejectionCode,
  occurredAt: number,
): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-${transferId}`,
    occurredAt,
    payload: {
      type: 'TransferRejected',
      transferId,
      fromAccountId: from,
      toAccountId: to,
      amount,
      currency: 'USD',
      code,
    },
  };
}

export function openRejected(accountId: string, occurredAt: number): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-reopen-${accountId}`,
    occurredAt,
    payload: { type: 'AccountOpenRejected', accountId, code: 'account_exists' },
  };
}

/** An account change at `revision`, decided when the account was at `version` (unchanged by it). */
export function changed(
  accountId: string,
  version: number,
  revision: number,
  change: AccountChange,
  status: AccountStatus,
  metadata: Metadata,
  occurredAt: number,
): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-change-${accountId}-${revision}`,
    occurredAt,
    payload: { type: 'AccountChanged', accountId, change, status, metadata, revision, version },
  };
}

export function changeRejected(
  accountId: string,
  change: AccountChange,
  code: AccountChangeRejectionCode,
  occurredAt: number,
): LedgerEvent {
  return {
    eventId: nextId(),
    commandId: `cmd-refused-${accountId}-${change}`,
    occurredAt,
    payload: { type: 'AccountChangeRejected', accountId, change, code },
  };
}
