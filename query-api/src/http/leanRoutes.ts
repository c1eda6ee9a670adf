import type { IncomingMessage, ServerResponse } from 'node:http';
// Imported: the global `performance` is an accessor, a getter call on every use.
import { performance } from 'node:perf_hooks';
import { LedgerError, type Logger, type Principal } from '@ledger/runtime';
import { decodePathId } from '@ledger/schemas';
import type { AccountReader, ReadOptions } from '../accountReader.ts';
import type { AccountEntry } from '../accountEntry.ts';
import { checkAccountRead, type QueryAdmission } from './admission.ts';
import { createBalanceAsOf, type BalanceAsOfDeps } from './balanceAsOf.ts';
import type { RecordRequest } from './httpMetrics.ts';
import { failResponse, rawHeaderOf, sendJsonText, toLedgerError } from './httpSupport.ts';
import {
  isBalanceAsOf,
  parseBalanceQuery,
  parseReadQuery,
  waitMsDefault,
} from './requestParsing.ts';
import { accountBody, balanceBody } from './responseBodies.ts';

/**
 * The hot GETs on plain node:http (docs/architecture.md "Performance targets": express's router
 * caps a route far
 * below what a cached read costs): `GET /v1/accounts/{id}` and `GET /v1/accounts/{id}/balance`.
 * Manual URL split, one writeHead, a body built as a string, and no promise at all on a cache hit
 * (with the per-request rate limit on, its decision is the one promise). Returns false for
 * anything it does not serve, so the caller falls through to express. A balance request whose
 * query asks for the past (`asOfVersion`, `asOf`) is handed to balanceAsOf.ts once admitted: a
 * request without a query string is never parsed, so it pays nothing for those parameters.
 */
export type LeanHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
) => boolean;

export interface LeanRouteDeps {
  readonly reader: AccountReader;
  /** The as-of balance reads (`balanceAsOf.ts`), handed over after admission. */
  readonly readModels: BalanceAsOfDeps['readModels'];
  readonly admission: QueryAdmission;
  readonly recordRequest: RecordRequest;
  readonly logger: Logger;
}

type LeanRoute = 'account' | 'balance';

const accountsPrefix = '/v1/accounts/';
const balanceSuffix = '/balance';
const routeTemplates: Record<LeanRoute, string> = {
  account: '/v1/accounts/:accountId',
  balance: '/v1/accounts/:accountId/balance',
};
const plainRead: ReadOptions = { minVersion: undefined, waitMs: waitMsDefault };

export function createLeanRoutes(deps: LeanRouteDeps): LeanHandler {
  const { reader, admission, recordRequest, logger } = deps;
  const serveBalanceAsOf = createBalanceAsOf(deps);

  function respond(
    response: ServerResponse,
    route: LeanRoute,
    account: AccountEntry,
    hit: boolean,
    requestId: string,
    startedAtMs: number,
  ): void {
    if (route === 'balance') {
      const body = balanceBody(account); // ASCII only: its length is its byte count
      sendJsonText(response, 200, body, requestId, hit ? 'hit' : 'miss', body.length);
    } else {
      sendJsonText(response, 200, accountBody(account), requestId);
    }
    recordRequest('GET', routeTemplates[route], 200, startedAtMs);
  }

  function fail(
    response: ServerResponse,
    route: LeanRoute,
    error: unknown,
    requestId: string,
    startedAtMs: number,
  ): void {
    const ledgerError = toLedgerError(error, logger, { requestId, route: routeTemplates[route] });
    failResponse(response, ledgerError, requestId);
    recordRequest('GET', routeTemplates[route], ledgerError.status, startedAtMs);
  }

  return function handleLean(request, response, requestId) {
    if (request.method !== 'GET') return false;
    const url = request.url ?? '';
    if (!url.startsWith(accountsPrefix)) return false;
    const queryAt = url.indexOf('?', accountsPrefix.length);
    const rest = url.slice(accountsPrefix.length, queryAt === -1 ? undefined : queryAt);
    const slashAt = rest.indexOf('/');
    let route: LeanRoute;
    let rawId: string;
    if (slashAt === -1) {
      route = 'account';
      rawId = rest;
    } else if (rest.endsWith(balanceSuffix) && slashAt === rest.length - balanceSuffix.length) {
      route = 'balance';
      rawId = rest.slice(0, slashAt);
    } else {
      return false; // /transactions and anything unknown: express
    }
    if (rawId === '') return false;

    const startedAtMs = performance.now();
    const admitted = admission.admit(request, rawHeaderOf(request, 'authorization', 'first'));
    if (admitted instanceof Promise) {
      admitted.then(
        (principal) =>
          serve(request, response, route, rawId, url, queryAt, principal, requestId, startedAtMs),
        (error: unknown) => fail(response, route, error, requestId, startedAtMs),
      );
    } else {
      serve(request, response, route, rawId, url, queryAt, admitted, requestId, startedAtMs);
    }
    return true;
  };

  /**
   * After admission: the key's tenant (403), the id, the query, then the read. A balance query
   * that asks for the past goes to balanceAsOf.ts; only requests with a query string are parsed.
   */
  function serve(
    request: IncomingMessage,
    response: ServerResponse,
    route: LeanRoute,
    rawId: string,
    url: string,
    queryAt: number,
    principal: Principal | LedgerError,
    requestId: string,
    startedAtMs: number,
  ): void {
    try {
      if (principal instanceof LedgerError) throw principal;
      const accountId = decodePathId(rawId, 'accountId');
      checkAccountRead(principal, accountId);
      let options = plainRead;
      if (queryAt !== -1) {
        const query = url.slice(queryAt + 1);
        if (route === 'balance') {
          const parsed = parseBalanceQuery(query);
          if (isBalanceAsOf(parsed)) {
            serveBalanceAsOf(request, response, accountId, parsed, requestId, startedAtMs);
            return;
          }
          options = parsed;
        } else {
          options = parseReadQuery(query);
        }
      }
      const cached = reader.cachedAtLeast(accountId, options.minVersion);
      if (cached !== undefined) {
        respond(response, route, cached, true, requestId, startedAtMs);
        return;
      }
      reader.read(accountId, options).then(
        ({ account, hit }) => respond(response, route, account, hit, requestId, startedAtMs),
        (error: unknown) => fail(response, route, error, requestId, startedAtMs),
      );
    } catch (error) {
      fail(response, route, error, requestId, startedAtMs);
    }
  }
}
