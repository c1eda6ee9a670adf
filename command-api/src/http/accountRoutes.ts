import type { Router } from 'express';
import { acceptCommands } from '../commandAcceptor.ts';
import { validateOpenAccount } from '../validation/openAccountValidator.ts';
import { resolveStates, sendCommandResponse } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { parsePreferWait } from './preferWait.ts';
import { asyncRoute, requestTrace, validationContext, type RouteDeps } from './routeSupport.ts';

/** `POST /v1/accounts`: open an account; the accountId is the idempotency key. */
export function registerAccountRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/accounts',
    ...jsonBody(bodyBytesMax),
    asyncRoute(async (request, response) => {
      const waitSeconds = parsePreferWait(request.get('prefer'));
      const command = validateOpenAccount(request.body, validationContext(deps));
      const trace = requestTrace(request, response);
      const results = await acceptCommands([command], deps, trace);
      const resolved = await resolveStates(results, waitSeconds, deps, trace.log);
      const [result] = results;
      if (result === undefined) throw new Error('acceptCommands returned no result');
      sendCommandResponse(response, result, resolved, 'accountId', waitSeconds);
    }),
  );
}
