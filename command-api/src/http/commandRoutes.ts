import type { Router } from 'express';
import { LedgerError } from '@ledger/runtime';
import { parseId } from '../validation/idValidator.ts';
import { asyncRoute, type RouteDeps } from './routeSupport.ts';

/** `GET /v1/commands/{commandId}`: the command's state as this side knows it. */
export function registerCommandRoutes(router: Router, deps: RouteDeps): void {
  router.get(
    '/commands/:commandId',
    asyncRoute(async (request, response) => {
      const commandId = parseId(request.params.commandId, 'commandId');
      const state = (await deps.idempotency.states([commandId])).get(commandId);
      if (state === undefined) throw new LedgerError('not_found', `no command ${commandId}`);
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
