import type { Router } from 'express';
import { validateOpenAccount } from '../validation/openAccountValidator.ts';
import { answerCommand } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { asyncRoute, validationContext, type RouteDeps } from './routeSupport.ts';

/** `POST /v1/accounts`: open an account; the accountId is the idempotency key. */
export function registerAccountRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/accounts',
    ...jsonBody(bodyBytesMax),
    asyncRoute(async (request, response) => {
      const command = validateOpenAccount(request.body, validationContext(deps));
      await answerCommand(request, response, deps, command, 'accountId');
    }),
  );
}
