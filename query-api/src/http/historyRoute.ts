import type { IRouter } from 'express';
import { checkDecodedId } from '@ledger/schemas';
import { checkAccountRead } from './admission.ts';
import type { ExpressAppDeps } from './expressSupport.ts';
import {
  asyncRoute,
  principalOfResponse,
  rawQueryOf,
  requestIdOfResponse,
} from './expressSupport.ts';
import { decodeHistoryCursor, encodeHistoryCursor } from './historyCursor.ts';
import { sendJsonText } from './httpSupport.ts';
import { parseHistoryQuery } from './requestParsing.ts';
import { historyBody } from './responseBodies.ts';

/**
 * `GET /v1/accounts/{id}/transactions?limit=&cursor=&minVersion=&waitMs=`: the account's
 * postings, newest first, one keyset page at a time. The account is checked through the cache
 * first (404 for an unknown one, read-your-writes with minVersion: once the cache reached a
 * version, the read model holds it, since the projector commits before it publishes).
 */
export function registerHistoryRoute(router: IRouter, deps: ExpressAppDeps): void {
  router.get(
    '/v1/accounts/:accountId/transactions',
    asyncRoute(async (request, response) => {
      const accountId = checkDecodedId(request.params.accountId, 'accountId');
      checkAccountRead(principalOfResponse(response), accountId);
      const options = parseHistoryQuery(rawQueryOf(request));
      const cursor =
        options.cursor === undefined ? undefined : decodeHistoryCursor(options.cursor, accountId);
      await deps.reader.read(accountId, options);
      // One row past the page tells whether there is a next page without a count query.
      const rows = await deps.readModels.loadHistory(
        accountId,
        cursor?.beforeVersion,
        options.limit + 1,
      );
      const items = rows.slice(0, options.limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > options.limit && last !== undefined
          ? encodeHistoryCursor({ accountId, beforeVersion: last.version })
          : null;
      sendJsonText(response, 200, historyBody(items, nextCursor), requestIdOfResponse(response));
    }),
  );
}
