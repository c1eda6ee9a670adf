import { LRUCache } from 'lru-cache';
import type { BalanceSnapshot, CachedAccount } from '../accountModel.ts';
import type { HistoryItem, TransferView } from '../postgres/readModels.ts';

/**
 * The JSON bodies of the query API, built as strings: money is bigint in memory and a decimal
 * string on the wire (never a JS number), and the hot bodies skip JSON.stringify's generic walk.
 * Ids (idPattern) and currencies ([A-Z]{3}) cannot hold a character JSON must escape, so they are
 * written as they are; free text (status, metadata, codes) goes through JSON.stringify.
 */

/**
 * The balance bodies of the hottest cache entries, built once and reused: a hot account is read
 * far more often than it changes, and turning a bigint into decimal digits costs more than the
 * rest of a hit. Keyed by the entry object, which is immutable (a change replaces it), so a memo
 * can never be stale. Bounded: a memo for every entry measured at +330 MB per million accounts,
 * which the memory target (1M balances in 512 MB) cannot afford; the hot set fits in this.
 */
export const balanceBodiesMax = 10_000;
const balanceBodies = new LRUCache<BalanceSnapshot, string>({ max: balanceBodiesMax });

/** GET /v1/accounts/{id}/balance */
export function balanceBody(account: BalanceSnapshot): string {
  let body = balanceBodies.get(account);
  if (body === undefined) {
    body = `{"accountId":"${account.accountId}","currency":"${account.currency}","balance":"${account.balance}","version":${account.version}}`;
    balanceBodies.set(account, body);
  }
  return body;
}

/**
 * GET /v1/accounts/{id}. While the opening is not projected yet (see CachedAccount), its four
 * fields are null: the account exists (it has a balance), its details are on their way.
 */
export function accountBody(account: CachedAccount): string {
  const { details } = account;
  const head = `{"accountId":"${account.accountId}","currency":"${account.currency}","balance":"${account.balance}",`;
  if (details === undefined) {
    return `${head}"overdraftLimit":null,"status":null,"version":${account.version},"createdAt":null,"metadata":null}`;
  }
  return (
    `${head}"overdraftLimit":"${details.overdraftLimit}",` +
    `"status":${JSON.stringify(details.status)},"version":${account.version},` +
    `"createdAt":"${details.createdAt}","metadata":${JSON.stringify(details.metadata)}}`
  );
}

/** A frame of the /v1/stream WebSocket. */
export function balanceFrame(change: BalanceSnapshot): string {
  return `{"type":"balance","accountId":"${change.accountId}","balance":"${change.balance}","version":${change.version}}`;
}

/** GET /v1/accounts/{id}/transactions */
export function historyBody(items: readonly HistoryItem[], nextCursor: string | null): string {
  return JSON.stringify({
    items: items.map((item) => ({
      transferId: item.transferId,
      direction: item.direction,
      amount: item.amount.toString(),
      balanceAfter: item.balanceAfter.toString(),
      version: item.version,
      counterpartyAccountId: item.counterpartyAccountId,
      postedAt: item.postedAt,
    })),
    nextCursor,
  });
}

/** GET /v1/transfers/{transferId}; `code` and `postedAt` only when the transfer has them. */
export function transferBody(transfer: TransferView): string {
  return JSON.stringify({
    transferId: transfer.transferId,
    status: transfer.status,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId,
    amount: transfer.amount.toString(),
    currency: transfer.currency,
    ...(transfer.code === null ? {} : { code: transfer.code }),
    ...(transfer.postedAt === null ? {} : { postedAt: transfer.postedAt }),
  });
}
