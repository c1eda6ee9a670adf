import type { AccountEntry } from '../accountEntry.ts';
import { availableOf, type BalanceSnapshot } from '../accountModel.ts';
import type {
  HistoryItem,
  ListedAccount,
  PastBalance,
  TransferView,
} from '../postgres/readModels.ts';

/**
 * The JSON bodies of the query API, built as strings: money is bigint or decimal text in memory
 * and a decimal string on the wire (never a JS number), and the hot bodies skip JSON.stringify's
 * generic walk. Ids (idPattern) and currencies ([A-Z]{3}) cannot hold a character JSON must
 * escape, so they are written as they are; free text (status, metadata, codes) goes through
 * JSON.stringify, or is stored as JSON text already (the cache's metadata).
 */

/**
 * GET /v1/accounts/{id}/balance. Built per request from the entry's text fields: only string
 * joins, ~0.1 µs (the balance and the available balance are stored as decimal text, so no
 * bigint is converted on a read).
 * Storing the finished body instead would cost ~70 bytes more per entry, 70 MB per million.
 * Every character is ASCII (id pattern, currency code, digits), so its length is its byte count.
 */
export function balanceBody(account: AccountEntry): string {
  return `{"accountId":"${account.accountId}","currency":"${account.currency}","balance":"${account.balanceText}","available":"${account.availableText}","version":${account.version}}`;
}

/**
 * GET /v1/accounts/{id}/balance?asOfVersion= or ?asOf=: the balance body with what was asked
 * echoed last (`asOfVersion` as a number, `asOf` as the instant used, in UTC, to the millisecond).
 */
export function pastBalanceBody(
  balance: PastBalance,
  echoName: 'asOf' | 'asOfVersion',
  echo: string | number,
): string {
  return JSON.stringify({
    accountId: balance.accountId,
    currency: balance.currency,
    balance: balance.balanceText,
    available: balance.availableText,
    version: balance.version,
    [echoName]: echo,
  });
}

/**
 * GET /v1/accounts/{id}. While the opening is not projected yet (see CachedAccount), its four
 * fields are null: the account exists (it has a balance), its details are on their way.
 * `revision` is what status and metadata are at (1 until the account's first change).
 */
export function accountBody(account: AccountEntry): string {
  const head = `{"accountId":"${account.accountId}","currency":"${account.currency}","balance":"${account.balanceText}","available":"${account.availableText}",`;
  const { overdraftLimitText, status, createdAtMs, metadataJson } = account;
  if (
    overdraftLimitText === undefined ||
    status === undefined ||
    createdAtMs === undefined ||
    metadataJson === undefined
  ) {
    return `${head}"overdraftLimit":null,"status":null,"version":${account.version},"revision":${account.revision},"createdAt":null,"metadata":null}`;
  }
  return (
    `${head}"overdraftLimit":"${overdraftLimitText}",` +
    `"status":${JSON.stringify(status)},"version":${account.version},"revision":${account.revision},` +
    `"createdAt":"${new Date(createdAtMs).toISOString()}","metadata":${metadataJson}}`
  );
}

/** A frame of the /v1/stream WebSocket; a change without `available` holds nothing. */
export function balanceFrame(change: BalanceSnapshot): string {
  return `{"type":"balance","accountId":"${change.accountId}","balance":"${change.balance}","available":"${availableOf(change)}","version":${change.version}}`;
}

/** GET /v1/accounts/{id}/transactions */
export function historyBody(items: readonly HistoryItem[], nextCursor: string | null): string {
  return JSON.stringify({
    items: items.map((item) => ({
      transferId: item.transferId,
      kind: item.kind,
      direction: item.direction,
      amount: item.amount.toString(),
      balanceAfter: item.balanceAfter.toString(),
      availableAfter: item.availableAfter.toString(),
      version: item.version,
      counterpartyAccountId: item.counterpartyAccountId,
      postedAt: item.postedAt,
    })),
    nextCursor,
  });
}

/** GET /v1/accounts: the fields of GET /v1/accounts/{id}, in its order, for each account. */
export function accountListBody(
  accounts: readonly ListedAccount[],
  nextCursor: string | null,
): string {
  return JSON.stringify({
    accounts: accounts.map((account) => ({
      accountId: account.accountId,
      currency: account.currency,
      balance: account.balanceText,
      available: account.availableText,
      overdraftLimit: account.overdraftLimitText,
      status: account.status,
      version: account.version,
      revision: account.revision,
      createdAt: account.createdAt,
      metadata: account.metadata,
    })),
    nextCursor,
  });
}

/**
 * GET /v1/transfers/{transferId}; `code`, `postedAt`, `reversalOf`, `pendingAmount`, `expiresAt`
 * only when it has them, so an ordinary transfer's body is what it was before holds existed.
 */
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
    ...(transfer.reversalOf === undefined ? {} : { reversalOf: transfer.reversalOf }),
    ...(transfer.pendingAmount === undefined
      ? {}
      : { pendingAmount: transfer.pendingAmount.toString() }),
    ...(transfer.expiresAt === undefined ? {} : { expiresAt: transfer.expiresAt }),
  });
}
