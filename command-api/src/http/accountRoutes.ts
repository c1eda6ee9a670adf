import type { Router } from 'express';
import { checkDecodedId } from '@ledger/schemas';
import {
  accountChangeActions,
  validateAccountChange,
  type AccountChangeAction,
} from '../validation/accountChangeValidator.ts';
import { validateOpenAccount } from '../validation/openAccountValidator.ts';
import { answerCommand } from './commandResponses.ts';
import { bodyBytesMax, jsonBody } from './jsonBody.ts';
import { asyncRoute, validationContext, type RouteDeps } from './routeSupport.ts';

/**
 * `POST /v1/accounts`: open an account; the accountId is the idempotency key.
 * `POST /v1/accounts/{id}/freeze`, `…/unfreeze`, `…/close` and `…/metadata`: change one; the
 * `Idempotency-Key` header, when sent, is the idempotency key (accountChangeValidator.ts).
 */
export function registerAccountRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/accounts',
    ...jsonBody(bodyBytesMax),
    asyncRoute(async (request, response) => {
      const command = validateOpenAccount(request.body, validationContext(deps));
      await answerCommand(request, response, deps, command, 'accountId');
    }),
  );
  for (const action of Object.keys(accountChangeActions) as AccountChangeAction[]) {
    router.post(
      `/accounts/:accountId/${action}`,
      ...jsonBody(bodyBytesMax),
      asyncRoute(async (request, response) => {
        const command = validateAccountChange(
          {
            accountId: checkDecodedId(request.params.accountId, 'accountId'),
            action,
            body: request.body,
            idempotencyKeyHeader: request.get('idempotency-key'),
          },
          validationContext(deps),
        );
        // The key's tenant must cover the account (403 otherwise), as when it was opened.
        await answerCommand(request, response, deps, command, 'accountId');
      }),
    );
  }
}
