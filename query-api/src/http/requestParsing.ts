import { LedgerError } from '@ledger/runtime';
import { currencyPattern, longSafeMax } from '@ledger/schemas';
import type { ReadOptions } from '../accountReader.ts';
import { accountStatuses, type AccountStatus } from '../postgres/readModels.ts';
import { decodeAccountListCursor } from './accountListCursor.ts';

/**
 * Pure parsing of what a query request carries in its URL, shared by the lean node:http path and
 * the express routes so both refuse the same things with the same codes. Query parameters are
 * strict like request bodies (docs/contract.md: unknown fields get 400): a typo such as `minversion`
 * would otherwise silently turn a read-your-writes request into a plain read.
 */

/** docs/contract.md: `waitMs` defaults to 2000 and may not exceed 10000. */
export const waitMsDefault = 2_000;
export const waitMsMax = 10_000;
/** docs/contract.md: transactions `limit` defaults to 50, at most 200. */
export const historyLimitDefault = 50;
export const historyLimitMax = 200;
/** `GET /v1/accounts`: the same page bounds as the transactions endpoint. */
export const accountListLimitDefault = historyLimitDefault;
export const accountListLimitMax = historyLimitMax;
/** A query string longer than this is refused before it is split (it can only be abuse). */
export const queryLengthMax = 512;

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

/**
 * A balance read as of a point in the past (`?asOfVersion=` or `?asOf=`), answered from the
 * ledger's postings rather than the cache. `waitMs` goes with a version only: a version the
 * account has not reached yet is waited for, as `minVersion` is (read-your-writes).
 */
export type BalanceAsOf =
  | { readonly kind: 'version'; readonly asOfVersion: number; readonly waitMs: number }
  /** Epoch milliseconds: sub-millisecond digits are dropped (posting times are whole ms). */
  | { readonly kind: 'time'; readonly asOfMs: number };

/**
 * `?minVersion=&waitMs=` (a plain read, as parseReadQuery), `?asOfVersion=&waitMs=` or `?asOf=`
 * of the balance endpoint. Only the lean path's requests with a query string come here: a
 * balance read without one never pays for the as-of parameters.
 */
export function parseBalanceQuery(query: string | undefined): ReadOptions | BalanceAsOf {
  const params = parseQuery(query, balanceParameters);
  const asOfVersionText = params.get('asOfVersion');
  const asOfText = params.get('asOf');
  if (asOfVersionText === undefined && asOfText === undefined) return readOptionsOf(params);
  if (asOfVersionText !== undefined && asOfText !== undefined) {
    throw new LedgerError('invalid_request', 'give asOf or asOfVersion, not both');
  }
  if (params.has('minVersion')) {
    throw new LedgerError(
      'invalid_request',
      'minVersion does not go with asOf or asOfVersion (asOfVersion waits for its version itself)',
    );
  }
  if (asOfVersionText !== undefined) {
    const asOfVersion = versionPattern.test(asOfVersionText) ? Number(asOfVersionText) : 0;
    if (asOfVersion < 1 || asOfVersion > longSafeMax) {
      throw new LedgerError(
        'invalid_request',
        `asOfVersion must be an integer from 1 to ${longSafeMax}`,
      );
    }
    return { kind: 'version', asOfVersion, waitMs: readOptionsOf(params).waitMs };
  }
  if (params.has('waitMs')) {
    throw new LedgerError('invalid_request', 'waitMs goes with asOfVersion, not with asOf');
  }
  const text = asOfText ?? '';
  const asOfMs = instantOf(text);
  if (asOfMs === undefined) {
    // A `+` left unencoded in a query string arrives as a space (form encoding).
    const plusHint = instantOf(text.replace(/ (?=[0-9]{2}:[0-9]{2}$)/, '+')) === undefined;
    throw new LedgerError(
      'invalid_request',
      'asOf must be an RFC 3339 date-time with an offset, such as 2026-01-15T09:30:00Z or ' +
        '2026-01-15T10:30:00.250%2B01:00' +
        (plusHint ? '' : ' (a + in a query string means a space: send it as %2B)'),
    );
  }
  return { kind: 'time', asOfMs };
}

export function isBalanceAsOf(options: ReadOptions | BalanceAsOf): options is BalanceAsOf {
  return 'kind' in options;
}

/**
 * RFC 3339 `date-time` (section 5.6): full date, `T`, full time with an offset (`Z` or ±hh:mm;
 * a time without one is local to somewhere and names no instant). Fractions of any length are
 * allowed and cut to milliseconds, which is exact here: posting times are whole milliseconds,
 * so "at or before 12:00:00.0009" selects what "at or before 12:00:00.000" does. A leap second
 * (`:60`) is refused: the ledger's clock never stamps one. Undefined for anything else.
 */
export function instantOf(text: string): number | undefined {
  const match = rfc3339Pattern.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMins = Number(offset.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const ms = fraction === undefined ? 0 : Number(fraction.slice(1, 4).padEnd(3, '0'));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime() - offsetMinutes * 60_000;
}

const rfc3339Pattern =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `?limit=&cursor=&minVersion=&waitMs=` of the transactions endpoint. */
export function parseHistoryQuery(query: string | undefined): HistoryOptions {
  const params = parseQuery(query, historyParameters);
  const limit = limitOf(params.get('limit'), historyLimitDefault, historyLimitMax);
  return { ...readOptionsOf(params), limit, cursor: params.get('cursor') };
}

/** `?cursor=&limit=&status=&currency=` of `GET /v1/accounts`, the cursor decoded. */
export interface AccountListOptions {
  readonly limit: number;
  /** The account id the page starts after (from the cursor), undefined for the first page. */
  readonly afterAccountId: string | undefined;
  readonly status: AccountStatus | undefined;
  readonly currency: string | undefined;
}

export function parseAccountListQuery(query: string | undefined): AccountListOptions {
  const params = parseQuery(query, accountListParameters);
  const limit = limitOf(params.get('limit'), accountListLimitDefault, accountListLimitMax);
  const cursorText = params.get('cursor');
  const statusText = params.get('status');
  const status = accountStatuses.find((known) => known === statusText);
  if (statusText !== undefined && status === undefined) {
    throw new LedgerError('invalid_request', `status must be one of ${accountStatuses.join(', ')}`);
  }
  const currency = params.get('currency');
  if (currency !== undefined && !currencyPattern.test(currency)) {
    throw new LedgerError('invalid_request', `currency must match ${currencyPattern.source}`);
  }
  return {
    limit,
    afterAccountId: cursorText === undefined ? undefined : decodeAccountListCursor(cursorText),
    status,
    currency,
  };
}

function limitOf(text: string | undefined, defaultLimit: number, max: number): number {
  if (text === undefined) return defaultLimit;
  const limit = smallIntegerPattern.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > max) {
    throw new LedgerError('invalid_request', `limit must be an integer from 1 to ${max}`);
  }
  return limit;
}

const accountListParameters = new Set(['cursor', 'limit', 'status', 'currency']);
const readParameters = new Set(['minVersion', 'waitMs']);
const historyParameters = new Set([...readParameters, 'limit', 'cursor']);
const balanceParameters = new Set([...readParameters, 'asOfVersion', 'asOf']);

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
