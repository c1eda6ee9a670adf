import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { LedgerError, problemResponseOf } from './errors.ts';
import type { Logger } from './logger.ts';

/**
 * What an API server answers to a request node's HTTP parser refuses before any handler sees it
 * (bytes outside ASCII in the request target, a malformed header, headers over the size limit, a
 * request that did not arrive in time). Node's own answer is a bare `400 Bad Request` (431, 408)
 * with no body; ours is the same problem document as every other refusal: 400 `invalid_request`
 * (the code list has no 431 or 408), then the connection closes, as the parser cannot go on.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    logger.debug('bad HTTP request', { error });
    // As node does: never write into a response already on its way (a pipelined request).
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const head = (error as { rawPacket?: unknown }).rawPacket;
    endWithProblem(socket, new LedgerError('invalid_request', detailOf(error.code)), {
      headersOnly: Buffer.isBuffer(head) && head.subarray(0, 5).toString('latin1') === 'HEAD ',
    });
  });
}

/**
 * Answers a problem document straight on a socket node's HTTP server does not answer for (a
 * request its parser refused, an upgrade not taken), then closes it. `headersOnly` for an answer
 * to HEAD: a body would be read as the next response.
 */
export function endWithProblem(
  socket: Duplex,
  error: LedgerError,
  options: { readonly requestId?: string; readonly headersOnly?: boolean } = {},
): void {
  const answer = problemResponseOf(error);
  const lines = [
    `HTTP/1.1 ${answer.status} ${answer.title}`,
    ...answer.headers.map(([name, value]) => `${name}: ${value}`),
    ...(options.requestId === undefined ? [] : [`X-Request-Id: ${options.requestId}`]),
    'Connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${options.headersOnly === true ? '' : answer.body}`);
}

function detailOf(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return 'the request headers are over the size limit';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'the request did not arrive in time';
  return code?.startsWith('HPE_') === true
    ? `not a valid HTTP/1.1 request (${code})`
    : 'not a valid HTTP/1.1 request';
}
