import {
  nextChainLink,
  type ChainLink,
  type EventPayload,
  type LedgerEvent,
} from '@ledger/schemas';
import type { AuditInput } from '../src/auditState.ts';

/**
 * Builds correct event logs by hand, the way the ledger would write them: each account's versions
 * and balances follow, every posting's legs move by its amount. Tests then corrupt a copy.
 */
export function handBuiltLog(topic = 'audit-test.events', options: { chained?: boolean } = {}) {
  const inputs: AuditInput[] = [];
  /** With `chained`, each partition is one hash chain (chain = partition), as the processor links. */
  const heads = new Map<number, ChainLink>();
  const books = new Map<string, { version: number; balance: bigint; partition: number }>();
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
  return {
    inputs,
    open(accountId: string, options: { partition?: number; overdraft?: bigint } = {}) {
      const partition = options.partition ?? 0;
      books.set(accountId, { version: 1, balance: 0n, partition });
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
      const debit = book(from);
      const credit = book(to);
      debit.version += 1;
      debit.balance -= amount;
      credit.version += 1;
      credit.balance += amount;
      return append(
        {
          type: 'TransferPosted',
          transferId,
          fromAccountId: from,
          toAccountId: to,
          amount,
          currency: 'USD',
          metadata: {},
          debit: { accountId: from, balanceAfter: debit.balance, version: debit.version },
          credit: { accountId: to, balanceAfter: credit.balance, version: credit.version },
          ...(reversalOf === undefined ? {} : { reversalOf }),
        },
        debit.partition,
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
    balanceOf: (accountId: string) => book(accountId).balance,
  };
}

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
