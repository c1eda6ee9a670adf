import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { LedgerError, endWithProblem, type Logger, type Principal } from '@ledger/runtime';
import type { QueryAdmission } from './http/admission.ts';

export const streamPath = '/v1/stream';

export type UpgradeHandler = (
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  requestId: string,
) => void;

export interface StreamUpgradeDeps {
  readonly wss: WebSocketServer;
  readonly admission: QueryAdmission;
  readonly logger: Logger;
  /** While closing, an upgrade is refused before its key is checked or its limit counted. */
  readonly isClosing: () => boolean;
  /** Checked right before the upgrade completes (the same tick adds the connection). */
  readonly capacityRefusal: () => LedgerError | undefined;
  readonly accept: (ws: WebSocket, principal: Principal, clientKey: string) => void;
}

/**
 * The HTTP half of `GET /v1/stream`, before a WebSocket exists. In order: another method or path
 * is `404`, a closing server `503`, then the key and its scope (`401` with its challenge, `403`),
 * the client's connect limit (`429`), capacity (`503`), and ws's own handshake checks (`400`).
 * Every refusal is a problem document written on the raw socket (runtime's `endWithProblem`).
 */
export function createStreamUpgrades(deps: StreamUpgradeDeps): UpgradeHandler {
  const { wss, admission, logger } = deps;
  // ws answers a handshake it cannot take (a bad Sec-WebSocket-Key or version, …) with its own
  // text/html 400 unless someone listens here: answer a problem document like every refusal.
  const upgradeRequestIds = new WeakMap<IncomingMessage, string>();
  wss.on('wsClientError', (error, socket, request) => {
    const refusal = new LedgerError(
      'invalid_request',
      `not a WebSocket handshake: ${error.message}`,
    );
    endWithProblem(socket, refusal, { requestId: upgradeRequestIds.get(request) ?? '' });
  });

  return function handleUpgrade(request, socket, head, requestId) {
    upgradeRequestIds.set(request, requestId);
    if (request.method !== 'GET') {
      // A handshake is a GET (RFC 6455); another method with Upgrade headers is no route here,
      // as without them, and a HEAD's answer has no body.
      const refusal = new LedgerError(
        'not_found',
        `no route ${request.method ?? ''} ${streamPath}`,
      );
      endWithProblem(socket, refusal, { requestId, headersOnly: request.method === 'HEAD' });
      return;
    }
    const path = (request.url ?? '').split('?', 1)[0];
    let admitted: Principal | LedgerError;
    if (path !== streamPath) admitted = new LedgerError('not_found', `no route ${path ?? ''}`);
    else if (deps.isClosing()) {
      admitted = new LedgerError('unavailable', 'the server is shutting down');
    } else admitted = admission.authorize(request.headers.authorization);
    if (admitted instanceof LedgerError) {
      endWithProblem(socket, admitted, { requestId });
      return;
    }
    const principal = admitted;
    const clientKey = admission.clientKeyOf(request, principal);
    // Node drops its own error listener from an upgraded socket: one is needed while waiting.
    const onSocketError = () => socket.destroy();
    socket.on('error', onSocketError);
    admission.admitStreamConnection(clientKey).then(
      (limited) => {
        socket.off('error', onSocketError);
        if (socket.destroyed) return;
        const refusal = limited ?? deps.capacityRefusal();
        if (refusal !== undefined) {
          endWithProblem(socket, refusal, { requestId });
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => deps.accept(ws, principal, clientKey));
      },
      (error: unknown) => {
        logger.warn('stream admission failed', { error });
        socket.destroy();
      },
    );
  };
}
