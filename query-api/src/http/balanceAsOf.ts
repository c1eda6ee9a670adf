import type { IncomingMessage, ServerResponse } from 'node:http';
import { LedgerError, type Logger } from '@ledger/runtime';
import type { AccountReader } from '../accountReader.ts';
import type { PastBalance, ReadModels } from '../postgres/readModels.ts';
import type { RecordRequest } from './httpMetrics.ts';
import {
  failResponse,
  rawHeaderOf,
  sendJsonWithHeaders,
  sendNotModified,
  toLedgerError,
} from './httpSupport.ts';
import type { BalanceAsOf } from './requestParsing.ts';
import { pastBalanceBody } from './responseBodies.ts';

/**
 * `GET /v1/accounts/{id}/balance?asOfVersion=n` and `?asOf=<RFC 3339>`: the balance as it was,
 * read from the ledger's postings (postgres/readModels.ts), never from the cache, which holds the
 * present only. The lean path hands these requests over once their query parsed as an as-of read
 * (after admission and the tenant check), so the cached read never pays for them.
 *
 * - `X-Cache: bypass` on every answer.
 * - asOfVersion: the answer can never change (postings are append-only and a version is written
 *   once), so it carries `ETag: "v<n>"` and `Cache-Control: max-age=31536000, immutable`: a
 *   client or private cache keeps it without asking again, and a revalidation with
 *   `If-None-Match` is a 304 without a body. No `public`: with API keys on, a shared cache must
 *   not hand one tenant's answer to another (RFC 9111 section 3.5 keeps it out by default).
 * - A version the account has not reached in what the query saw is waited for, as `minVersion`
 *   waits (the cache's waiters, woken by the change feed), up to `waitMs`, then 504
 *   `consistency_timeout`: a client may ask for the version the command API just gave it, so
 *   "not yet" must not be a 404, which says "never" and which a cache could keep.
 * - asOf: no validators, no caching. An instant that has not passed yet on every processor's
 *   clock may still gain postings, and telling which have is not worth a header.
 */
export type BalanceAsOfHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  accountId: string,
  asOf: BalanceAsOf,
  requestId: string,
  startedAtMs: number,
) => void;

export interface BalanceAsOfDeps {
  readonly reader: AccountReader;
  readonly readModels: Pick<ReadModels, 'loadBalanceAtVersion' | 'loadBalanceAtTime'>;
  readonly recordRequest: RecordRequest;
  readonly logger: Logger;
}

/** The metrics' route label: its own series, so Postgres reads do not blur the cached ones. */
export const balanceAsOfRoute = '/v1/accounts/:accountId/balance?asOf';

const bypass: readonly string[] = ['X-Cache', 'bypass'];
/** An asOfVersion answer never changes: a year is the longest max-age worth writing. */
const immutableCacheControl = 'max-age=31536000, immutable';

export function createBalanceAsOf(deps: BalanceAsOfDeps): BalanceAsOfHandler {
  const { reader, readModels, recordRequest, logger } = deps;

  async function atVersion(
    accountId: string,
    asOfVersion: number,
    waitMs: number,
  ): Promise<PastBalance> {
    const first = await readModels.loadBalanceAtVersion(accountId, asOfVersion);
    if (first.kind === 'found') return first.balance;
    if (first.kind === 'unknown_account') throw notFound(accountId);
    // Not reached yet: wait as minVersion does (504 when the budget runs out), then read again.
    // The cache learns a version from the feed, which is published after the postings commit.
    await reader.read(accountId, { minVersion: asOfVersion, waitMs });
    const second = await readModels.loadBalanceAtVersion(accountId, asOfVersion);
    if (second.kind === 'found') return second.balance;
    throw new LedgerError(
      'consistency_timeout',
      `account ${accountId} has not reached version ${asOfVersion} in the ledger read`,
    );
  }

  async function atTime(accountId: string, asOfMs: number): Promise<PastBalance> {
    const found = await readModels.loadBalanceAtTime(accountId, asOfMs);
    if (found.kind === 'found') return found.balance;
    if (found.kind === 'unknown_account') throw notFound(accountId);
    throw new LedgerError(
      'not_found',
      `account ${accountId} was opened at ${found.openedAt}, after ${new Date(asOfMs).toISOString()}`,
    );
  }

  function fail(response: ServerResponse, error: unknown, requestId: string, startedAtMs: number) {
    const ledgerError = toLedgerError(error, logger, { requestId, route: balanceAsOfRoute });
    failResponse(response, ledgerError, requestId);
    recordRequest('GET', balanceAsOfRoute, ledgerError.status, startedAtMs);
  }

  return function serveBalanceAsOf(request, response, accountId, asOf, requestId, startedAtMs) {
    const read =
      asOf.kind === 'version'
        ? atVersion(accountId, asOf.asOfVersion, asOf.waitMs)
        : atTime(accountId, asOf.asOfMs);
    read.then(
      (balance) => {
        if (asOf.kind === 'time') {
          const body = pastBalanceBody(balance, 'asOf', new Date(asOf.asOfMs).toISOString());
          sendJsonWithHeaders(response, 200, body, requestId, bypass);
          recordRequest('GET', balanceAsOfRoute, 200, startedAtMs);
          return;
        }
        const etag = `"v${balance.version}"`;
        const headers = [...bypass, 'ETag', etag, 'Cache-Control', immutableCacheControl];
        const ifNoneMatch = rawHeaderOf(request, 'if-none-match', 'first');
        if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, etag)) {
          sendNotModified(response, requestId, headers);
          recordRequest('GET', balanceAsOfRoute, 304, startedAtMs);
          return;
        }
        const body = pastBalanceBody(balance, 'asOfVersion', balance.version);
        sendJsonWithHeaders(response, 200, body, requestId, headers);
        recordRequest('GET', balanceAsOfRoute, 200, startedAtMs);
      },
      (error: unknown) => fail(response, error, requestId, startedAtMs),
    );
  };
}

/**
 * If-None-Match (RFC 9110 section 13.1.2): `*`, or a list of entity tags compared weakly (a
 * `W/` prefix is ignored). Only asked after the version was found, so `*` means "it exists".
 */
export function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if (tag === '*') return true;
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}

function notFound(accountId: string): LedgerError {
  return new LedgerError('not_found', `no account ${accountId}`);
}
