import express, { type NextFunction, type Request, type Response } from 'express';
import { LedgerError } from '@ledger/runtime';

/** docs/contract.md: request bodies over 64 KiB get 413. */
export const bodyBytesMax = 64 * 1024;
/**
 * The batch endpoint's body limit. 1000 transfers (the contract's item maximum) do not fit in 64
 * KiB (a minimal item is ~90 bytes, one with metadata up to ~5 KiB), so the batch route gets its
 * own bound: room for 1000 items of ~1 KiB each. Raised with the API owner as a contract note.
 */
export const batchBodyBytesMax = 1024 * 1024;

/**
 * 415 unless the body is declared JSON, then body-parser with a size bound. `strict` accepts
 * only objects and arrays at the top level; errors go to problemMiddleware.
 */
export function jsonBody(limitBytes: number) {
  const parse = express.json({ limit: limitBytes, strict: true, type: () => true });
  return [
    function requireJson(request: Request, _response: Response, next: NextFunction): void {
      if (request.is('application/json') !== 'application/json') {
        next(
          new LedgerError(
            'unsupported_media_type',
            'send the body as JSON with Content-Type: application/json',
          ),
        );
        return;
      }
      next();
    },
    parse,
  ];
}
