import type { RawData } from 'ws';
import { checkDecodedId } from '@ledger/schemas';
import { LedgerError } from '@ledger/runtime';

/** What a /v1/stream client may send (see balanceStream.ts); pure, so it is unit-tested alone. */
export interface StreamRequest {
  readonly action: 'subscribe' | 'unsubscribe';
  readonly accountIds: readonly string[];
}

/** A client frame: exactly one of `subscribe` / `unsubscribe`, a list of valid ids. */
export function parseStreamRequest(
  data: RawData,
  isBinary: boolean,
  accountIdsMax: number,
): StreamRequest {
  if (isBinary) throw new LedgerError('invalid_request', 'send text frames holding JSON');
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(new Uint8Array(data));
  const text = bytes.toString('utf8');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new LedgerError('invalid_request', 'the frame is not valid JSON');
  }
  const keys = typeof message === 'object' && message !== null ? Object.keys(message) : [];
  const action = keys[0];
  if (keys.length !== 1 || (action !== 'subscribe' && action !== 'unsubscribe')) {
    throw new LedgerError(
      'invalid_request',
      'send { "subscribe": [ids] } or { "unsubscribe": [ids] }',
    );
  }
  const accountIds = (message as Record<string, unknown>)[action];
  if (!Array.isArray(accountIds) || accountIds.length === 0) {
    throw new LedgerError('invalid_request', `${action} takes a non-empty list of account ids`);
  }
  if (accountIds.length > accountIdsMax) {
    throw new LedgerError('invalid_request', `at most ${accountIdsMax} account ids per frame`);
  }
  for (const accountId of accountIds) {
    if (typeof accountId !== 'string') {
      throw new LedgerError('invalid_id', `${action} takes account ids as strings`);
    }
    checkDecodedId(accountId, 'accountId');
  }
  return { action, accountIds: accountIds as string[] };
}
