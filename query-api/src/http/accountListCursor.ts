import { LedgerError } from '@ledger/runtime';
import { idPattern } from '@ledger/schemas';
import { cursorLengthMax } from './historyCursor.ts';

/**
 * The opaque `cursor` of `GET /v1/accounts`: the id of the last account a page returned (or, when
 * a page stopped at the scan cap, the last id it scanned), in base64url. The next page holds the
 * ids after it in byte order, a keyset range on the accounts' primary key: every page costs the
 * same however deep the client pages. Opaque so the encoding can change without breaking clients.
 * Not bound to the filters or the key: a cursor only says where to start, and the key's tenant
 * range and the filters are applied to every page anyway.
 */
const cursorFormat = 'a1';

export function encodeAccountListCursor(afterAccountId: string): string {
  return Buffer.from(`${cursorFormat}:${afterAccountId}`, 'utf8').toString('base64url');
}

/** The account id the next page starts after; 400 `invalid_request` for anything we did not make. */
export function decodeAccountListCursor(text: string): string {
  if (text.length === 0 || text.length > cursorLengthMax || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw invalidCursor();
  }
  const match = /^a1:(.+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const accountId = match?.[1];
  if (accountId === undefined || !idPattern.test(accountId)) throw invalidCursor();
  return accountId;
}

function invalidCursor(): LedgerError {
  return new LedgerError('invalid_request', 'cursor is not one this API returned');
}
