import type { Router } from 'express';
import { validateTransfer } from '../validation/transferValidator.ts';
import { answerCommand } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { asyncRoute, validationContext, type RouteDeps } from './routeSupport.ts';

/** `POST /v1/transfers`: one transfer; `Idempotency-Key` defaults to the transferId. */
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
}
