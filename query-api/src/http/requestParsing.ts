import { LedgerError } from '@ledger/runtime';
import { longSafeMax } from '@ledger/schemas';

/**
 * Pure parsing of what a query request carries in its URL, shared by the lean node:http path and
 * the express routes so both refuse the same things with the same codes. Query parameters are
 * strict like request bodies (API.md: unknown fields get 400): a typo such as `minversion`
 * would otherwise silently turn a read-your-writes request into a plain read.
 */

/** API.md: `waitMs` defaults to 2000 and may not exceed 10000. */
export const waitMsDefault = 2_000;
export const waitMsMax = 10_000;
/** API.md: transactions `limit` defaults to 50, at most 200. */
export const historyLimitDefault = 50;
export const historyLimitMax = 200;
/** A query string longer than this is refused before it is split (it can only be abuse). */
export const queryLengthMax = 512;

export interface ReadOptions {
  /** Absent: serve what is there. Present: wait until the account reaches it. */
  readonly minVersion: number | undefined;
  readonly waitMs: number;
}

export interface HistoryOptions extends ReadOptions {
  readonly limit: number;
  readonly cursor: string | undefined;
}

const versionPattern = /^[1-9][0-9]{0,15}$/;
const smallIntegerPattern = /^(?:0|[1-9][0-9]{0,5})$/;

/** `?minVersion=&waitMs=` of the account endpoints. */
export function parseReadQuery(query: string | undefined): ReadOptions {
  const params = parseQuery(query, readParameters);
  return readOptionsOf(params);
}

/** `?limit=&cursor=&minVersion=&waitMs=` of the transactions endpoint. */
export function parseHistoryQuery(query: string | undefined): HistoryOptions {
  const params = parseQuery(query, historyParameters);
  const limitText = params.get('limit');
  let limit = historyLimitDefault;
  if (limitText !== undefined) {
    limit = smallIntegerPattern.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > historyLimitMax) {
      throw new LedgerError(
        'invalid_request',
        `limit must be an integer from 1 to ${historyLimitMax}`,
      );
    }
  }
  return { ...readOptionsOf(params), limit, cursor: params.get('cursor') };
}

const readParameters = new Set(['minVersion', 'waitMs']);
const historyParameters = new Set([...readParameters, 'limit', 'cursor']);

function readOptionsOf(params: ReadonlyMap<string, string>): ReadOptions {
  const minVersionText = params.get('minVersion');
  let minVersion: number | undefined;
  if (minVersionText !== undefined) {
    minVersion = versionPattern.test(minVersionText) ? Number(minVersionText) : 0;
    if (minVersion < 1 || minVersion > longSafeMax) {
      throw new LedgerError('invalid_request', 'minVersion must be a positive integer');
    }
  }
  const waitMsText = params.get('waitMs');
  let waitMs = waitMsDefault;
  if (waitMsText !== undefined) {
    waitMs = smallIntegerPattern.test(waitMsText) ? Number(waitMsText) : -1;
    if (waitMs < 0 || waitMs > waitMsMax) {
      throw new LedgerError('invalid_request', `waitMs must be an integer from 0 to ${waitMsMax}`);
    }
  }
  return { minVersion, waitMs };
}

function parseQuery(query: string | undefined, allowed: ReadonlySet<string>): Map<string, string> {
  const params = new Map<string, string>();
  if (query === undefined || query === '') return params;
  if (query.length > queryLengthMax) {
    throw new LedgerError('invalid_request', `the query string is over ${queryLengthMax} bytes`);
  }
  for (const [name, value] of new URLSearchParams(query)) {
    if (!allowed.has(name)) {
      throw new LedgerError(
        'invalid_request',
        `unknown query parameter ${JSON.stringify(name.slice(0, 64))}; allowed: ${[...allowed].join(', ')}`,
      );
    }
    if (params.has(name)) {
      throw new LedgerError('invalid_request', `query parameter ${name} is given twice`);
    }
    params.set(name, value);
  }
  return params;
}
