import type { IRouter } from 'express';
import type { Principal } from '@ledger/runtime';
import type { AccountListQuery } from '../postgres/readModels.ts';
import { encodeAccountListCursor } from './accountListCursor.ts';
import type { ExpressAppDeps } from './expressSupport.ts';
import {
  asyncRoute,
  principalOfResponse,
  rawQueryOf,
  requestIdOfResponse,
} from './expressSupport.ts';
import { sendJsonText } from './httpSupport.ts';
import { parseAccountListQuery, type AccountListOptions } from './requestParsing.ts';
import { accountListBody } from './responseBodies.ts';

/**
 * `GET /v1/accounts?cursor=&limit=&status=&currency=`: accounts in id order (byte order), one
 * keyset page at a time, read from the ledger of record (`accounts`), as a cache miss is. A
 * tenant key sees its own prefix only: the prefix becomes a range on the id, so the scan never
 * leaves it. A page may hold fewer accounts than `limit` and still have a `nextCursor` (a filter
 * that matched little within the scan cap, readModels.ts): clients page until it is null.
 */
export function registerAccountListRoute(router: IRouter, deps: ExpressAppDeps): void {
  router.get(
    '/v1/accounts',
    asyncRoute(async (request, response) => {
      const options = parseAccountListQuery(rawQueryOf(request));
      const page = await deps.readModels.listAccounts(
        accountListQueryOf(principalOfResponse(response), options),
      );
      const nextCursor =
        page.nextAfterId === undefined ? null : encodeAccountListCursor(page.nextAfterId);
      sendJsonText(
        response,
        200,
        accountListBody(page.accounts, nextCursor),
        requestIdOfResponse(response),
      );
    }),
  );
}

/**
 * Above every character an id may hold (idPattern is ASCII below 0x7f), so `prefix + idsEnd` is
 * an exclusive upper bound of the ids that start with the prefix, in the `C` collation.
 */
const idsEnd = '\u007f';

/** The id range a request may see and the page it asks for. */
export function accountListQueryOf(
  principal: Principal,
  options: AccountListOptions,
): AccountListQuery {
  const prefix = principal.accountPrefix ?? '';
  return {
    afterId: options.afterAccountId ?? '',
    fromId: prefix,
    beforeId: prefix + idsEnd,
    status: options.status,
    currency: options.currency,
    limit: options.limit,
  };
}
