import {
  nextChainLink,
  type AccountChange,
  type AccountChangeRejectionCode,
  type AccountStatus,
  type ChainLink,
  type Metadata,
  type EventPayload,
  type LedgerEvent,
  type SettlementAction,
  type SettlementRejectionCode,
  type VoidReason,
} from '@ledger/schemas';
import type { AuditInput } from '../src/auditState.ts';

/** The hold a settlement settles: the log's own, or (`hold` option) one it claims. */
interface Hold {
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
}

/**
 * Builds correct event logs by hand, the way the ledger would write them: each account's versions,
 * balances and held amounts follow, every posting's legs move by its amount. Tests then corrupt a
 * copy. With `chained`, each partition is one hash chain (chain = partition), as the processor
 * links; with `v3`, ordinary postings' legs carry heldAfter too, as v3 writers do.
 */
export function handBuiltLog(
  topic = 'audit-test.events',
  options: { chained?: boolean; v3?: boolean } = {},
) {
  const inputs: AuditInput[] = [];
  const heads = new Map<number, ChainLink>();
  const books = new Map<
    string,
    {
      version: number;
      balance: bigint;
      held: bigint;
      partition: number;
      status: AccountStatus;
      revision: number;
      metadata: Metadata;
    }
  >();
  const holds = new Map<string, Hold>();
  const nextOffset = new Map<number, number>();
  let eventNumber = 0;
  const append = (payload: EventPayload, partition: number): AuditInput => {
    const offset = nextOffset.get(partition) ?? 0;
    nextOffset.set(partition, offset + 1);
    eventNumber += 1;
    const content: LedgerEvent = {
      eventId: `evt-${eventNumber}`,
      commandId: `cmd-${eventNumber}`,
      occurredAt: 1_700_000_000_000 + eventNumber,
      payload,
    };
    let event = content;
    if (options.chained === true) {
      const link = nextChainLink(partition, heads.get(partition), content);
      heads.set(partition, link);
      event = { ...content, chain: link };
    }
    const input = {
      position: { topic, partition, offset: String(offset) },
      event,
      receivedAtMs: eventNumber,
    };
    inputs.push(input);
    return input;
  };
  const book = (accountId: string) => {
    const found = books.get(accountId);
    if (found === undefined) throw new Error(`${accountId} is not open`);
    return found;
  };
  /** The account's leg after an entry: the next version, its balance and held moved. */
  const entry = (accountId: string, moved: bigint, held: bigint, withHeld = true) => {
    const at = book(accountId);
    at.version += 1;
    at.balance += moved;
    at.held += held;
    return {
      accountId,
      balanceAfter: at.balance,
      version: at.version,
      ...(withHeld ? { heldAfter: at.held } : {}),
    };
  };
  const holdOf = (transferId: string, claimed: Hold | undefined): Hold => {
    const found = claimed ?? holds.get(transferId);
    if (found === undefined) throw new Error(`${transferId} is not pending`);
    return found;
  };
  return {
    inputs,
    open(accountId: string, options: { partition?: number; overdraft?: bigint } = {}) {
      const partition = options.partition ?? 0;
      books.set(accountId, {
        version: 1,
        balance: 0n,
        held: 0n,
        partition,
        status: 'open',
        revision: 1,
        metadata: {},
      });
      return append(
        {
          type: 'AccountOpened',
          accountId,
          currency: 'USD',
          overdraftLimit: options.overdraft ?? 0n,
          metadata: {},
          version: 1,
          balance: 0n,
        },
        partition,
      );
    },
    /** In the debtor's partition, as the processor keys it; `reversalOf` makes it a reversal. */
    post(transferId: string, from: string, to: string, amount: bigint, reversalOf?: string) {
      const v3 = options.v3 === true;
      return append(
        {
          type: 'TransferPosted',
          transferId,
          fromAccountId: from,
          toAccountId: to,
          amount,
          currency: 'USD',
          metadata: {},
          debit: entry(from, -amount, 0n, v3),
          credit: entry(to, amount, 0n, v3),
          ...(reversalOf === undefined ? {} : { reversalOf }),
        },
        book(from).partition,
      );
    },
    /** A pending transfer: `amount` held on `from`, in its partition. */
    hold(transferId: string, from: string, to: string, amount: bigint, expiresAt?: number) {
      holds.set(transferId, { from, to, amount });
      return append(
        {
          type: 'TransferPending',
          transferId,
          fromAccountId: from,
          toAccountId: to,
          amount,
          currency: 'USD',
          metadata: {},
          debit: entry(from, 0n, amount),
          ...(expiresAt === undefined ? {} : { expiresAt }),
        },
        book(from).partition,
      );
    },
    /** Posts `amount` (default: all) of a hold, releasing `pendingAmount` (default: its amount). */
    postPending(
      transferId: string,
      amount?: bigint,
      settle: { pendingAmount?: bigint; hold?: Hold } = {},
    ) {
      const hold = holdOf(transferId, settle.hold);
      const pendingAmount = settle.pendingAmount ?? hold.amount;
      const posted = amount ?? pendingAmount;
      return append(
        {
          type: 'PendingPosted',
          transferId,
          fromAccountId: hold.from,
          toAccountId: hold.to,
          amount: posted,
          pendingAmount,
          currency: 'USD',
          debit: entry(hold.from, -posted, -pendingAmount),
          credit: entry(hold.to, posted, 0n),
        },
        book(hold.from).partition,
      );
    },
    /** Voids or expires a pending transfer, releasing `amount` (default: its amount). */
    voidPending(
      transferId: string,
      settle: { reason?: VoidReason; amount?: bigint; hold?: Hold } = {},
    ) {
      const hold = holdOf(transferId, settle.hold);
      const amount = settle.amount ?? hold.amount;
      return append(
        {
          type: 'PendingVoided',
          transferId,
          fromAccountId: hold.from,
          toAccountId: hold.to,
          amount,
          currency: 'USD',
          reason: settle.reason ?? 'voided',
          debit: entry(hold.from, 0n, -amount),
        },
        book(hold.from).partition,
      );
    },
    rejectSettlement(transferId: string, action: SettlementAction, code: SettlementRejectionCode) {
      const hold = holdOf(transferId, undefined);
      return append(
        {
          type: 'SettlementRejected',
          transferId,
          fromAccountId: hold.from,
          toAccountId: hold.to,
          action,
          code,
        },
        book(hold.from).partition,
      );
    },
    reject(transferId: string, from: string, to: string, amount: bigint) {
      return append(
        {
          type: 'TransferRejected',
          transferId,
          fromAccountId: from,
          toAccountId: to,
          amount,
          currency: 'USD',
          code: 'insufficient_funds',
        },
        book(from).partition,
      );
    },
    /**
     * An AccountChanged in the account's partition at its next revision and at its version (the
     * running one: every entry so far, from any partition), whether or not its status allows the
     * change (tests corrupt with that): the status after is the change's (update_metadata keeps
     * it). An account never opened is changed in `partition` (default 0), at version 1.
     */
    change(
      accountId: string,
      change: AccountChange,
      options: {
        metadata?: Metadata;
        revision?: number;
        status?: AccountStatus;
        partition?: number;
        version?: number;
      } = {},
    ) {
      const at = books.get(accountId);
      const before = at?.status ?? 'open';
      const status = options.status ?? statusOfChange[change] ?? before;
      const revision = options.revision ?? (at?.revision ?? 1) + 1;
      const metadata = options.metadata ?? at?.metadata ?? {};
      const version = options.version ?? at?.version ?? 1;
      if (at !== undefined) Object.assign(at, { status, revision, metadata });
      return append(
        { type: 'AccountChanged', accountId, change, status, metadata, revision, version },
        at?.partition ?? options.partition ?? 0,
      );
    },
    rejectChange(
      accountId: string,
      change: AccountChange,
      code: AccountChangeRejectionCode,
      partition?: number,
    ) {
      return append(
        { type: 'AccountChangeRejected', accountId, change, code },
        books.get(accountId)?.partition ?? partition ?? 0,
      );
    },
    balanceOf: (accountId: string) => book(accountId).balance,
    heldOf: (accountId: string) => book(accountId).held,
  };
}

const statusOfChange: Readonly<Record<AccountChange, AccountStatus | undefined>> = {
  freeze: 'frozen',
  unfreeze: 'open',
  close: 'closed',
  update_metadata: undefined,
};

/** A copy of `input` with its payload changed (same event id, same position). */
export function withPayload(
  input: AuditInput,
  change: (payload: EventPayload) => EventPayload,
): AuditInput {
  return { ...input, event: { ...input.event, payload: change(input.event.payload) } };
}

/** Reads the log in partition order: all of partition 0, then 1, … (one way a reader may). */
export function byPartition(inputs: readonly AuditInput[]): AuditInput[] {
  return [...inputs].sort((a, b) => a.position.partition - b.position.partition);
}
