import type { NextFunction, Request, Response } from 'express';
import {
  asDependencyUnavailable,
  LedgerError,
  problemResponseOf,
  type Logger,
} from '@ledger/runtime';
import { pathDecodeErrorAsInvalidId } from '@ledger/schemas';
import { contextOf } from './requestContext.ts';

/**
 * The one place an error becomes an HTTP answer: LedgerError → its RFC 9457 document (status
 * from runtime's catalogue); body-parser's errors → our codes; express's failure to decode a path
 * parameter → `invalid_id` (@ledger/schemas' path id rule); anything else is a bug, logged
 * with its cause and answered with a generic 500 that leaks nothing.
 */
export function problemMiddleware(fallbackLogger: Logger) {
  return function problemHandler(
    error: unknown,
    request: Request,
    response: Response,
    next: NextFunction,
  ): void {
    if (response.headersSent) {
      next(error);
      return;
    }
    const log = logOf(response, fallbackLogger);
    const ledgerError = toLedgerError(error);
    if (ledgerError === undefined) {
      log.error('unhandled error', { error, method: request.method, path: request.path });
      sendProblem(response, new LedgerError('internal_error', 'an unexpected error occurred'));
      return;
    }
    if (ledgerError.status >= 500) {
      log.warn('request failed', {
        code: ledgerError.code,
        detail: ledgerError.detail,
        error: ledgerError.cause,
      });
    }
    sendProblem(response, ledgerError);
  };
}

export function sendProblem(response: Response, error: LedgerError): void {
  const answer = problemResponseOf(error);
  for (const [name, value] of answer.headers) response.setHeader(name, value);
  response.status(answer.status).send(answer.body);
}

/**
 * body-parser signals its failures with a `type`, except a body that does not inflate as its
 * `Content-Encoding` says: zlib's own error (code `Z_DATA_ERROR`, `Z_BUF_ERROR`, …) comes through
 * as is. Everything else unknown is a bug.
 */
export function toLedgerError(error: unknown): LedgerError | undefined {
  if (error instanceof LedgerError) return error;
  const badPath = pathDecodeErrorAsInvalidId(error);
  if (badPath !== undefined) return badPath;
  const unavailable = asDependencyUnavailable(error);
  if (unavailable !== undefined) return unavailable;
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  switch (type) {
    case 'entity.too.large':
      return new LedgerError('payload_too_large', 'the request body is too large', {
        cause: error,
      });
    case 'entity.parse.failed':
      return new LedgerError('invalid_request', 'the request body is not valid JSON', {
        cause: error,
      });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new LedgerError(
        'unsupported_media_type',
        'send UTF-8 JSON (identity, gzip or deflate)',
        {
          cause: error,
        },
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new LedgerError('invalid_request', 'the request body could not be read', {
        cause: error,
      });
    default:
      if (String((error as { code?: unknown }).code).startsWith('Z_')) {
        return new LedgerError(
          'invalid_request',
          'the request body does not decompress as its Content-Encoding says',
          { cause: error },
        );
      }
      return undefined;
  }
}

function logOf(response: Response, fallback: Logger): Logger {
  try {
    return contextOf(response).log;
  } catch {
    return fallback;
  }
}
