import { LedgerError } from '@ledger/runtime';
import { longSafeMax } from '@ledger/schemas';

/**
 * The opaque `cursor` of the transactions endpoint: the version of the last item a page returned,
 * bound to its account, in base64url. Newest first means the next page holds the versions below
 * it, which is a keyset query on the (account_id, version) primary key: every page costs the
 * same however deep the client pages. Opaque so the encoding can change without breaking
 * clients; bound to the account so a cursor pasted into another account's URL is refused.
 */
export const cursorLengthMax = 256;
const cursorFormat = 'h1';

export interface HistoryCursor {
  readonly accountId: string;
  /** The next page holds versions strictly below this one. */
  readonly beforeVersion: number;
}

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return Buffer.from(
    `${cursorFormat}:${cursor.beforeVersion}:${cursor.accountId}`,
    'utf8',
  ).toString('base64url');
}

export function decodeHistoryCursor(text: string, accountId: string): HistoryCursor {
  if (text.length === 0 || text.length > cursorLengthMax || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw invalidCursor();
  }
  const match = /^h1:([1-9][0-9]{0,15}):(.+)$/.exec(Buffer.from(text, 'base64url').toString());
  const beforeVersion = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(beforeVersion) || beforeVersion > longSafeMax) {
    throw invalidCursor();
  }
  if (match[2] !== accountId) {
    throw new LedgerError('invalid_request', 'this cursor belongs to another account');
  }
  return { accountId, beforeVersion };
}

function invalidCursor(): LedgerError {
  return new LedgerError('invalid_request', 'cursor is not one this API returned');
}
