import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  asDependencyUnavailable,
  LedgerError,
  problemResponseOf,
  type IdGenerator,
  type Logger,
} from '@ledger/runtime';
import { pathDecodeErrorAsInvalidId } from '@ledger/schemas';

/**
 * What the lean node:http path and the express app share, so a request gets the same request id,
 * headers and problem documents whichever path serves it.
 */

export const requestIdHeader = 'X-Request-Id';
/** An echoed id lands in our logs and headers: printable ASCII only, bounded. */
export const requestIdLengthMax = 128;
const requestIdPattern = new RegExp(`^[\\x21-\\x7e]{1,${requestIdLengthMax}}$`);

/**
 * The client's X-Request-Id when it is sane, else a fresh one. Read from `rawHeaders`: touching
 * `request.headers` makes node build the whole header object, which the hot routes never need.
 * Sent twice, node would join the values with ", " (not a sane id): a fresh one then, here too.
 */
export function requestIdOf(request: IncomingMessage, ids: IdGenerator): string {
  const incoming = rawHeaderOf(request, 'x-request-id', 'only');
  return incoming !== undefined && requestIdPattern.test(incoming) ? incoming : ids();
}

/**
 * One header's value from `rawHeaders` (`name` in lower case). `first`: the first one, as node
 * keeps for Authorization; `only`: undefined when it was sent more than once.
 */
export function rawHeaderOf(
  request: IncomingMessage,
  name: string,
  repeated: 'first' | 'only',
): string | undefined {
  const raw = request.rawHeaders;
  let found: string | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const header = raw[index];
    if (header?.length !== name.length || header.toLowerCase() !== name) continue;
    if (found !== undefined) return undefined; // 'first' returned already
    found = raw[index + 1];
    if (repeated === 'first') return found;
  }
  return found;
}

const jsonContentType = 'application/json';

/**
 * The headers every body of this service carries, as one flat [name, value, …] array for
 * writeHead: node walks an array by index, where an object costs a for-in with a hasOwnProperty
 * per header. Every value is a string: node checks each with a RegExp `test`, and a number sends
 * that down V8's generic path (callgrind, per cached balance read: ~900 instructions for the
 * object, ~1,200 for a numeric Content-Length, of ~65,000 in all). Callers push their own after.
 */
function bodyHeaders(contentType: string, bodyBytes: number, requestId: string): string[] {
  return [
    'Content-Type',
    contentType,
    'Content-Length',
    String(bodyBytes),
    requestIdHeader,
    requestId,
  ];
}

/**
 * Writes a finished JSON body with every header in one writeHead (no setHeader bookkeeping).
 * `bodyBytes` when the caller knows it (an ASCII-only body: its length).
 */
export function sendJsonText(
  response: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  cacheResult?: 'hit' | 'miss',
  bodyBytes: number = Buffer.byteLength(body),
): void {
  const headers = bodyHeaders(jsonContentType, bodyBytes, requestId);
  if (cacheResult !== undefined) headers.push('X-Cache', cacheResult);
  response.writeHead(status, headers);
  response.end(body);
}

/**
 * sendJsonText with more headers ([name, value, …]) after the usual ones, for the answers off the
 * hot path (the as-of balance: X-Cache, ETag, Cache-Control), so sendJsonText stays as it is.
 */
export function sendJsonWithHeaders(
  response: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  extraHeaders: readonly string[],
): void {
  const headers = bodyHeaders(jsonContentType, Buffer.byteLength(body), requestId);
  headers.push(...extraHeaders);
  response.writeHead(status, headers);
  response.end(body);
}

/** 304 (RFC 9110 section 15.4.5): no body, the validators and caching headers a 200 would carry. */
export function sendNotModified(
  response: ServerResponse,
  requestId: string,
  extraHeaders: readonly string[],
): void {
  response.writeHead(304, [requestIdHeader, requestId, ...extraHeaders]);
  response.end();
}

/** An RFC 9457 document for a LedgerError, with its Retry-After or WWW-Authenticate if any. */
export function sendProblem(response: ServerResponse, error: LedgerError, requestId: string): void {
  const answer = problemResponseOf(error);
  const headers = [requestIdHeader, requestId];
  for (const header of answer.headers) headers.push(...header);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

/**
 * The one mapping from a thrown value to what the client sees: a LedgerError as itself; express's
 * failure to decode a path parameter as the 400 `invalid_id` every route answers for one; anything
 * else is a bug, logged with its cause and answered with a generic 500 that leaks nothing.
 */
export function toLedgerError(
  error: unknown,
  log: Logger,
  context: Record<string, unknown>,
): LedgerError {
  const badPath = pathDecodeErrorAsInvalidId(error);
  if (badPath !== undefined) return badPath;
  if (error instanceof LedgerError) {
    // Timeouts and load shedding are expected under load and counted in metrics; a log line per
    // request would add I/O exactly when the process is busiest.
    const expected = error.code === 'consistency_timeout' || error.code === 'overloaded';
    const fields = { ...context, code: error.code, detail: error.detail };
    if (error.status >= 500 && expected) log.debug('request failed', fields);
    else if (error.status >= 500) log.warn('request failed', fields);
    return error;
  }
  const unavailable = asDependencyUnavailable(error);
  if (unavailable !== undefined) {
    log.warn('request failed', { ...context, code: unavailable.code, error });
    return unavailable;
  }
  log.error('unhandled error', { ...context, error });
  return new LedgerError('internal_error', 'an unexpected error occurred');
}

/** Last resort when the response has started already: cut the connection, do not append. */
export function failResponse(response: ServerResponse, error: LedgerError, requestId: string) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendProblem(response, error, requestId);
}
