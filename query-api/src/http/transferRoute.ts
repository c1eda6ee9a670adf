import type { IRouter } from 'express';
import { LedgerError, maySeeRecord } from '@ledger/runtime';
import { checkDecodedId } from '@ledger/schemas';
import type { ExpressAppDeps } from './expressSupport.ts';
import {
  asyncRoute,
  principalOfResponse,
  rawQueryOf,
  requestIdOfResponse,
} from './expressSupport.ts';
import { sendJsonText } from './httpSupport.ts';
import { transferBody } from './responseBodies.ts';

/**
 * `GET /v1/transfers/{transferId}`: the decided transfer from the read model; 404 until the
 * processor decided it and the projector wrote it (docs/contract.md). Not cached: a client polls a transfer
 * a few times at most, and a cached 404 would hide the decision when it lands. A key with a
 * tenant sees a transfer when either side is in it; otherwise 404, as for an unknown id (transfer
 * ids are chosen by clients, so a 403 would confirm another tenant's).
 */
export function registerTransferRoute(router: IRouter, deps: ExpressAppDeps): void {
  router.get(
    '/v1/transfers/:transferId',
    asyncRoute(async (request, response) => {
      const transferId = checkDecodedId(request.params.transferId, 'transferId');
      if ((rawQueryOf(request) ?? '') !== '') {
        throw new LedgerError('invalid_request', 'this endpoint takes no query parameters');
      }
      const transfer = await deps.readModels.loadTransfer(transferId);
      const principal = principalOfResponse(response);
      if (
        transfer === undefined ||
        !maySeeRecord(principal, [transfer.fromAccountId, transfer.toAccountId])
      ) {
        throw new LedgerError('not_found', `no decided transfer ${transferId}`);
      }
      sendJsonText(response, 200, transferBody(transfer), requestIdOfResponse(response));
    }),
  );
}
