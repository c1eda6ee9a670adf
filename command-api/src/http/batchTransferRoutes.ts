import type { Router } from 'express';
import { LedgerError, checkAccounts, problemFromError } from '@ledger/runtime';
import type { CommandState } from '../appDeps.ts';
import { acceptCommands, type AcceptResult } from '../commandAcceptor.ts';
import type { Transfer } from '@ledger/schemas';
import { accountsOf, type AcceptedCommand } from '../commands.ts';
import { validateTransferBatch } from '../validation/batchValidator.ts';
import {
  appliedBody,
  rejectionError,
  resolveStates,
  stillAcceptingError,
} from './commandResponses.ts';
import { principalOf } from './authMiddleware.ts';
import { batchBodyBytesMax, jsonBody } from './jsonBody.ts';
import { parsePreferWait } from './preferWait.ts';
import { asyncRoute, requestTrace, validationContext, type RouteDeps } from './routeSupport.ts';

/**
 * `POST /v1/transfers/batch`: 1..1000 transfers that stand alone. Valid items are published in
 * one call (one Kafka sendBatch when the producer coalesces); invalid ones are answered with
 * their index and problem. If publishing fails, no item was accepted and the whole request is a
 * 503: a retry of the same body is safe because idempotency works per item. A valid item naming an
 * account outside the API key's tenant refuses the whole request (403, nothing published): the
 * key is misused, not one item malformed.
 */
export function registerBatchTransferRoutes(router: Router, deps: RouteDeps): void {
  router.post(
    '/transfers/batch',
    ...jsonBody(batchBodyBytesMax),
    asyncRoute(async (request, response) => {
      if (request.get('idempotency-key') !== undefined) {
        throw new LedgerError(
          'invalid_request',
          'a batch has no Idempotency-Key header: each item is keyed by its transferId',
        );
      }
      const waitSeconds = parsePreferWait(request.get('prefer'));
      const validated = validateTransferBatch(request.body, validationContext(deps));
      const principal = principalOf(response);
      const commands: AcceptedCommand<Transfer>[] = [];
      for (const item of validated) {
        if (!item.ok) continue;
        const prefix = `transfers[${item.index}].`;
        const forbidden = checkAccounts(principal, accountsOf(item.command, prefix));
        if (forbidden !== undefined) throw forbidden;
        commands.push(item.command);
      }
      const trace = requestTrace(request, response);
      const results = commands.length === 0 ? [] : await acceptCommands(commands, deps, trace);
      const resolved = await resolveStates(results, waitSeconds, deps, trace.log);

      let resultIndex = 0;
      const items = validated.map((item) => {
        if (!item.ok)
          return { index: item.index, status: 'invalid', problem: problemFromError(item.error) };
        const result = results[resultIndex++] as AcceptResult;
        return itemBody(item.index, result, resolved.states);
      });
      if (resolved.waited && waitSeconds !== undefined) {
        response.setHeader('Preference-Applied', `wait=${waitSeconds}`);
      }
      response.status(resolved.waited ? 200 : 202).json({ items });
    }),
  );
}

function itemBody(
  index: number,
  result: AcceptResult,
  states: ReadonlyMap<string, CommandState>,
): Record<string, unknown> {
  if (result.kind === 'refused')
    return { index, status: 'invalid', problem: problemFromError(result.error) };
  const replayed = result.kind === 'replayed' ? { replayed: true } : {};
  const subject = { transferId: result.subjectId };
  const state = states.get(result.commandId);
  if (state === undefined) {
    return {
      index,
      status: 'invalid',
      ...replayed,
      problem: problemFromError(stillAcceptingError(result.commandId)),
    };
  }
  switch (state.status) {
    case 'accepted':
      return { index, status: 'accepted', commandId: state.commandId, ...subject, ...replayed };
    case 'applied':
      return { index, ...appliedBody(state, subject), ...replayed };
    case 'rejected':
      return {
        index,
        status: 'rejected',
        commandId: state.commandId,
        ...subject,
        code: state.code,
        ...replayed,
        problem: problemFromError(rejectionError(state.code, state.commandId, subject)),
      };
  }
}
