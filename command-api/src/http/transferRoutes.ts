import type { Request, Response, Router } from 'express';
import { LedgerError, maySeeRecord } from '@ledger/runtime';
import { checkDecodedId } from '@ledger/schemas';
import type { DecidedTransfer } from '../appDeps.ts';
import { validateSettlement } from '../validation/pendingValidator.ts';
import { validateReversal } from '../validation/reversalValidator.ts';
import { validateTransfer } from '../validation/transferValidator.ts';
import { principalOf } from './authMiddleware.ts';
import { answerCommand } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { asyncRoute, validationContext, type RouteDeps } from './routeSupport.ts';

/**
 * `POST /v1/transfers`: one transfer (or a pending one, a hold); `Idempotency-Key` defaults to
 * the transferId.
 * `POST /v1/transfers/{id}/reverse`: a transfer that takes (part of) a posted one back.
 * `POST /v1/transfers/{id}/post` and `…/void`: settle a pending transfer.
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
  for (const action of ['post', 'void'] as const) {
    router.post(
      `/transfers/:transferId/${action}`,
      ...jsonBody(bodyBytesMax),
      asyncRoute(async (request, response) => {
        const pending = await decidedTransferNamed(request, response, deps);
        const command = validateSettlement(
          { body: request.body, action, pending },
          validationContext(deps),
        );
        await answerCommand(request, response, deps, command, 'transferId');
      }),
    );
  }
}

/**
 * The transfer the path names, as the ledger decided it: what a reversal or a settlement is built
 * from (its accounts key the command). Another tenant's transfer is as unknown as a missing one:
 * ids are guessable.
 */
async function decidedTransferNamed(
  request: Request,
  response: Response,
  deps: RouteDeps,
): Promise<DecidedTransfer> {
  const transferId = checkDecodedId(request.params.transferId, 'transferId');
  const decided = await deps.transfers.find(transferId);
  const visible =
    decided !== undefined &&
    maySeeRecord(principalOf(response), [decided.fromAccountId, decided.toAccountId]);
  if (!visible) {
    throw new LedgerError(
      'not_found',
      `the ledger has decided no transfer ${transferId} (one accepted moments ago may not be decided yet: retry)`,
    );
  }
  return decided;
}

async function reverse(request: Request, response: Response, deps: RouteDeps): Promise<void> {
  const original = await decidedTransferNamed(request, response, deps);
  const command = validateReversal(
    { body: request.body, idempotencyKeyHeader: request.get('idempotency-key'), original },
    validationContext(deps),
  );
  await answerCommand(request, response, deps, command, 'transferId');
}
