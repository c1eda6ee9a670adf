import type { IRouter } from 'express';
import { LedgerError } from '@ledger/runtime';
import type { ExpressAppDeps } from './expressApp.ts';
import { asyncRoute, rawQueryOf, requestIdOfResponse } from './expressSupport.ts';
import { sendJsonText } from './httpSupport.ts';
import { checkIdValue } from './requestParsing.ts';
import { transferBody } from './responseBodies.ts';

/**
 * `GET /v1/transfers/{transferId}`: the decided transfer from the read model; 404 until the
 * processor decided it and the projector wrote it (API.md). Not cached: a client polls a transfer
 * a few times at most, and a cached 404 would hide the decision when it lands.
 */
export function registerTransferRoute(router: IRouter, deps: ExpressAppDeps): void {
  router.get(
    '/v1/transfers/:transferId',
    asyncRoute(async (request, response) => {
      const transferId = checkIdValue(request.params.transferId ?? '', 'transferId');
      if ((rawQueryOf(request) ?? '') !== '') {
        throw new LedgerError('invalid_request', 'this endpoint takes no query parameters');
      }
      const transfer = await deps.readModels.loadTransfer(transferId);
      if (transfer === undefined) {
        throw new LedgerError('not_found', `no decided transfer ${transferId}`);
      }
      sendJsonText(response, 200, transferBody(transfer), requestIdOfResponse(response));
    }),
  );
}
