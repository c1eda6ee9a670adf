import type { Router } from 'express';
import { acceptCommands } from '../commandAcceptor.ts';
import { validateTransfer } from '../validation/transferValidator.ts';
import { resolveStates, sendCommandResponse } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { parsePreferWait } from './preferWait.ts';
import { asyncRoute, requestTrace, validationContext, type RouteDeps } from './routeSupport.ts';

/** `POST /v1/transfers`: one transfer; `Idempotency-Key` defaults to the transferId. */
export function registerTransferRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/transfers',
    ...jsonBody(bodyBytesMax),
    asyncRoute(async (request, response) => {
      const waitSeconds = parsePreferWait(request.get('prefer'));
      const command = validateTransfer(
        {
          body: request.body,
          idempotencyKeyHeader: request.get('idempotency-key'),
          what: 'the request body',
        },
        validationContext(deps),
      );
      const trace = requestTrace(request, response);
      const results = await acceptCommands([command], deps, trace);
      const resolved = await resolveStates(results, waitSeconds, deps, trace.log);
      const [result] = results;
      if (result === undefined) throw new Error('acceptCommands returned no result');
      sendCommandResponse(response, result, resolved, 'transferId', waitSeconds);
    }),
  );
}
