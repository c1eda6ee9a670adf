import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type {
  Clock,
  CommandPublisher,
  IdempotencyStore,
  OutcomeWaiter,
  TransferLookup,
} from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import type { RequestTrace } from '../commandAcceptor.ts';
import type { IdGenerator } from '@ledger/runtime';
import type { ValidationContext } from '../validation/openAccountValidator.ts';
import { contextOf } from './requestContext.ts';
import { requestSpanContext } from './traceContext.ts';

/** What the command routes share. */
export interface RouteDeps {
  readonly publisher: CommandPublisher;
  readonly idempotency: IdempotencyStore;
  readonly outcomes: OutcomeWaiter;
  readonly transfers: TransferLookup;
  readonly metrics: CommandApiMetrics;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

/** Express 4 does not catch a rejected handler promise: route it to the error middleware. */
export function asyncRoute(
  handler: (request: Request, response: Response) => Promise<void>,
): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    handler(request, response).catch(next);
  };
}

export function validationContext(deps: RouteDeps): ValidationContext {
  return { newId: deps.ids, nowMs: deps.clock.now() };
}

export function requestTrace(request: Request, response: Response): RequestTrace {
  const { requestId, log } = contextOf(response);
  return { requestId, log, context: requestSpanContext(response) };
}
