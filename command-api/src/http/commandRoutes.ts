import type { Router } from 'express';
import { LedgerError, maySeeRecord } from '@ledger/runtime';
import { checkDecodedId } from '@ledger/schemas';
import { principalOf } from './authMiddleware.ts';
import { asyncRoute, type RouteDeps } from './routeSupport.ts';

/**
 * `GET /v1/commands/{commandId}`: the command's state as this side knows it. For a key with a
 * tenant, an applied command whose accounts are all outside it is a 404, as if unknown; accepted
 * and rejected states name no account and carry no account data (command ids are generated
 * here, UUIDv7, and learnt only from the response that accepted the command).
 */
export function registerCommandRoutes(router: Router, deps: RouteDeps): void {
  router.get(
    '/commands/:commandId',
    asyncRoute(async (request, response) => {
      const commandId = checkDecodedId(request.params.commandId, 'commandId');
      const state = (await deps.idempotency.states([commandId])).get(commandId);
      const hidden =
        state?.status === 'applied' &&
        !maySeeRecord(principalOf(response), Object.keys(state.versions));
      if (state === undefined || hidden) {
        throw new LedgerError('not_found', `no command ${commandId}`);
      }
      switch (state.status) {
        case 'accepted':
          response.json({ commandId, status: 'accepted' });
          return;
        case 'applied':
          response.json({ commandId, status: 'applied', versions: state.versions });
          return;
        case 'rejected':
          response.json({ commandId, status: 'rejected', code: state.code });
          return;
      }
    }),
  );
}
