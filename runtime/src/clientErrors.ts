import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { LedgerError, problemContentType, problemFromError } from './errors.ts';
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
    const problem = problemFromError(new LedgerError('invalid_request', detailOf(error.code)));
    const body = JSON.stringify(problem);
    // An answer to HEAD has no body (the client would read it as the next response).
    const head = (error as { rawPacket?: unknown }).rawPacket;
    const isHead = Buffer.isBuffer(head) && head.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: ${problemContentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
        (isHead ? '' : body),
    );
  });
}

function detailOf(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return 'the request headers are over the size limit';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'the request did not arrive in time';
  return code?.startsWith('HPE_') === true
    ? `not a valid HTTP/1.1 request (${code})`
    : 'not a valid HTTP/1.1 request';
}
