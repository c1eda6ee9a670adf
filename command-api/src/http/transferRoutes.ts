import type { Request, Response, Router } from 'express';
import { LedgerError, maySeeRecord } from '@ledger/runtime';
import { checkDecodedId } from '@ledger/schemas';
import { validateReversal } from '../validation/reversalValidator.ts';
import { validateTransfer } from '../validation/transferValidator.ts';
import { principalOf } from './authMiddleware.ts';
import { answerCommand } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { asyncRoute, validationContext, type RouteDeps } from './routeSupport.ts';

/**
 * `POST /v1/transfers`: one transfer; `Idempotency-Key` defaults to the transferId.
 * `POST /v1/transfers/{id}/reverse`: a transfer that takes (part of) a posted one back.
 */
export function registerTransferRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/transfers',
    ...jsonBody(bodyBytesMax),
    asyncRoute(async (request, response) => {
      const command = validateTransfer(
        {
          body: request.body,
          idempotencyKeyHeader: request.get('idempotency-key'),
          what: 'the request body',
        },
        validationContext(deps),
      );
      await answerCommand(request, response, deps, command, 'transferId');
    }),
  );
  router.post(
    '/transfers/:transferId/reverse',
    ...jsonBody(bodyBytesMax),
    asyncRoute((request, response) => reverse(request, response, deps)),
  );
}

async function reverse(request: Request, response: Response, deps: RouteDeps): Promise<void> {
  const originalId = checkDecodedId(request.params.transferId, 'transferId');
  const original = await deps.transfers.find(originalId);
  // Another tenant's transfer is as unknown as a missing one: ids are guessable.
  const visible =
    original !== undefined &&
    maySeeRecord(principalOf(response), [original.fromAccountId, original.toAccountId]);
  if (!visible) {
    throw new LedgerError(
      'not_found',
      `the ledger has decided no transfer ${originalId} (one accepted moments ago may not be decided yet: retry)`,
    );
  }
  const command = validateReversal(
    { body: request.body, idempotencyKeyHeader: request.get('idempotency-key'), original },
    validationContext(deps),
  );
  await answerCommand(request, response, deps, command, 'transferId');
}
