import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { amountMax, amountPattern, currencyPattern, idPattern } from '@ledger/schemas';
import type pg from 'pg';
import { executeTransfer, type TransferRequest } from './naiveTransfer.ts';

/**
 * Baseline (c): the classic design the ledger is compared against: express 4, JSON body,
 * validation, then one Postgres transaction per transfer (naiveTransfer.ts) and the answer once
 * committed.
 * `POST /v1/transfers` answers 201 applied, 422 rejected, 409 idempotency conflict, 400 invalid.
 */

/**
 * Connections: each transfer holds one for ~6 round trips with row locks held. More than the
 * cores keeps Postgres busy while a transaction waits on the socket; far more only queues on
 * the hot rows' locks. Override with BENCH_NAIVE_POOL_MAX.
 */
export const naivePoolMaxDefault = 16;
/** The contract's body bound (docs/contract.md), as the real API. */
const bodyLimit = '64kb';
const knownFields = new Set([
  'transferId',
  'fromAccountId',
  'toAccountId',
  'amount',
  'currency',
  'metadata',
]);

export function createNaiveWriteServer(pool: pg.Pool): Server {
  const app = express();
  app.disable('etag');
  app.disable('x-powered-by');
  app.use(express.json({ limit: bodyLimit }));
  app.post('/v1/transfers', (request: Request, response: Response, next: NextFunction) => {
    const parsed = parseTransfer(request.body, request.get('idempotency-key'));
    if (typeof parsed === 'string') {
      response.status(400).json({ status: 400, code: 'invalid_request', detail: parsed });
      return;
    }
    executeTransfer(pool, parsed).then((result) => {
      switch (result.kind) {
        case 'applied':
          if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
          response.status(201).json({
            commandId: result.commandId,
            status: 'applied',
            transferId: parsed.transferId,
            versions: result.versions,
            balances: result.balances,
          });
          return;
        case 'rejected':
          response.status(422).json({ status: 422, code: result.code });
          return;
        case 'conflict':
          response.status(409).json({ status: 409, code: 'idempotency_conflict' });
          return;
      }
    }, next);
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      response.status(status).json({ status, code: 'invalid_request' });
      return;
    }
    console.error('naive baseline: transfer failed', error);
    response.status(500).json({ status: 500, code: 'internal' });
  });
  return createServer(app);
}

function parseTransfer(
  body: unknown,
  idempotencyKey: string | undefined,
): TransferRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'body must be an object';
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!knownFields.has(key)) return `unknown field ${key}`;
  const { transferId, fromAccountId, toAccountId, amount, currency } = fields;
  for (const [name, value] of Object.entries({ transferId, fromAccountId, toAccountId })) {
    if (typeof value !== 'string' || !idPattern.test(value)) return `${name} is not a valid id`;
  }
  if (typeof amount !== 'string' || !amountPattern.test(amount) || BigInt(amount) > amountMax) {
    return 'amount must be a positive integer string';
  }
  if (typeof currency !== 'string' || !currencyPattern.test(currency))
    return 'currency must be ISO 4217';
  const key = idempotencyKey ?? (transferId as string);
  if (!idPattern.test(key)) return 'Idempotency-Key is not a valid id';
  return {
    transferId: transferId as string,
    idempotencyKey: key,
    fromAccountId: fromAccountId as string,
    toAccountId: toAccountId as string,
    amount: BigInt(amount),
    currency,
  };
}
