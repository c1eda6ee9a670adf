import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  LedgerError,
  problemContentType,
  problemFromError,
  type ErrorCode,
  type Logger,
} from '@ledger/runtime';
import type { BalanceSnapshot } from './accountModel.ts';
import type { ApiKeyCheck } from './http/apiKeyCheck.ts';
import { balanceFrame } from './http/responseBodies.ts';
import { parseStreamRequest, type StreamRequest } from './streamMessages.ts';

/**
 * `GET /v1/stream`: balance changes pushed over a WebSocket (API.md). A client sends
 * `{ "subscribe": [ids] }` / `{ "unsubscribe": [ids] }`; the server answers with `subscribed` /
 * `unsubscribed`, then pushes `{ "type": "balance", accountId, balance, version }` for every
 * change of those accounts, starting with the current balance. Per connection and account, a
 * version is sent only if it is above the last one sent, so out-of-order or duplicated changes on
 * the feed never make a client see a balance go back.
 *
 * Every resource is bounded: connections, subscriptions per connection, frame size, and the
 * bytes buffered for a client that does not read (it is cut off, not buffered for without end).
 */
export interface BalanceStream {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, requestId: string): void;
  /** A change from the feed, in the order the feed delivered it. */
  publish(change: BalanceSnapshot): void;
  /** Closes every connection (1001 going away) and refuses new ones. */
  close(): Promise<void>;
  readonly connectionCount: number;
}

export interface BalanceStreamOptions {
  readonly connectionsMax: number;
  readonly subscriptionsPerConnectionMax: number;
  /** Past this many bytes queued for a client, it is disconnected. */
  readonly bufferedBytesMax: number;
  readonly heartbeatIntervalMs: number;
}

export interface BalanceStreamHooks {
  connections(count: number): void;
  drop(reason: 'slow' | 'heartbeat' | 'connections_max'): void;
  push(): void;
}

export interface BalanceStreamDeps {
  readonly options: BalanceStreamOptions;
  readonly checkApiKey: ApiKeyCheck;
  /** The current balance sent right after a subscribe (through the cache). */
  readonly snapshot: (accountId: string) => Promise<BalanceSnapshot | undefined>;
  readonly logger: Logger;
  readonly hooks?: Partial<BalanceStreamHooks>;
}

export const streamPath = '/v1/stream';
/** A client message holds at most a subscription list; 64 KiB like every request body. */
export const streamMessageBytesMax = 64 * 1024;
/** How long close() lets clients answer the close handshake before cutting them off. */
export const streamCloseTimeoutMs = 2_000;

interface Connection {
  readonly ws: WebSocket;
  /** Subscribed accounts and the last version sent for each (0: none yet). */
  readonly lastSent: Map<string, number>;
  alive: boolean;
}

export function createBalanceStream(deps: BalanceStreamDeps): BalanceStream {
  const { options, logger } = deps;
  const hooks: BalanceStreamHooks = { ...noHooks, ...deps.hooks };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: streamMessageBytesMax,
    perMessageDeflate: false, // compression costs CPU per frame and buffers per connection
    clientTracking: false,
  });
  const connections = new Set<Connection>();
  const subscribers = new Map<string, Set<Connection>>();
  let closing = false;

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        drop(connection, 'heartbeat');
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }, options.heartbeatIntervalMs);
  heartbeat.unref();

  function drop(connection: Connection, reason: 'slow' | 'heartbeat'): void {
    hooks.drop(reason);
    logger.info('stream client disconnected', { reason });
    connection.ws.terminate(); // a close frame would queue behind what the client did not read
  }

  function deliver(connection: Connection, change: BalanceSnapshot, frame: string): void {
    const last = connection.lastSent.get(change.accountId);
    if (last === undefined || change.version <= last) return;
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    if (connection.ws.bufferedAmount > options.bufferedBytesMax) {
      drop(connection, 'slow');
      return;
    }
    connection.lastSent.set(change.accountId, change.version);
    connection.ws.send(frame);
    hooks.push();
  }

  function sendControl(connection: Connection, frame: Record<string, unknown>): void {
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(frame));
  }

  function sendError(connection: Connection, code: ErrorCode, detail: string): void {
    sendControl(connection, { type: 'error', code, detail });
  }

  function subscribe(connection: Connection, accountIds: readonly string[]): void {
    const added = [...new Set(accountIds)].filter((id) => !connection.lastSent.has(id));
    if (connection.lastSent.size + added.length > options.subscriptionsPerConnectionMax) {
      sendError(
        connection,
        'invalid_request',
        `at most ${options.subscriptionsPerConnectionMax} subscriptions per connection`,
      );
      return;
    }
    for (const accountId of added) {
      connection.lastSent.set(accountId, 0);
      const set = subscribers.get(accountId) ?? new Set<Connection>();
      set.add(connection);
      subscribers.set(accountId, set);
    }
    sendControl(connection, { type: 'subscribed', accountIds });
    for (const accountId of added) {
      deps.snapshot(accountId).then(
        (current) => {
          if (current !== undefined) deliver(connection, current, balanceFrame(current));
        },
        (error: unknown) => logger.debug('stream snapshot failed', { error }),
      );
    }
  }

  function unsubscribe(connection: Connection, accountIds: readonly string[]): void {
    for (const accountId of accountIds) {
      connection.lastSent.delete(accountId);
      const set = subscribers.get(accountId);
      set?.delete(connection);
      if (set?.size === 0) subscribers.delete(accountId);
    }
    sendControl(connection, { type: 'unsubscribed', accountIds });
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let request: StreamRequest;
    try {
      request = parseStreamRequest(data, isBinary, options.subscriptionsPerConnectionMax);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      sendError(connection, error.code, error.detail);
      return;
    }
    if (request.action === 'subscribe') subscribe(connection, request.accountIds);
    else unsubscribe(connection, request.accountIds);
  }

  function accept(ws: WebSocket): void {
    const connection: Connection = { ws, lastSent: new Map(), alive: true };
    connections.add(connection);
    hooks.connections(connections.size);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
    ws.on('error', (error) => logger.debug('stream socket error', { error }));
    ws.on('close', () => {
      for (const accountId of connection.lastSent.keys()) {
        const set = subscribers.get(accountId);
        set?.delete(connection);
        if (set?.size === 0) subscribers.delete(accountId);
      }
      connection.lastSent.clear();
      connections.delete(connection);
      hooks.connections(connections.size);
    });
  }

  return {
    handleUpgrade(request, socket, head, requestId) {
      const path = (request.url ?? '').split('?', 1)[0];
      let refusal: LedgerError | undefined;
      if (path !== streamPath) refusal = new LedgerError('not_found', `no route ${path ?? ''}`);
      else if (closing) refusal = new LedgerError('unavailable', 'the server is shutting down');
      else refusal = deps.checkApiKey(request.headers.authorization);
      if (refusal === undefined && connections.size >= options.connectionsMax) {
        hooks.drop('connections_max');
        refusal = new LedgerError('overloaded', 'too many stream connections', {
          retryAfterSeconds: 5,
        });
      }
      if (refusal !== undefined) {
        refuseUpgrade(socket, refusal, requestId);
        return;
      }
      wss.handleUpgrade(request, socket, head, accept);
    },

    publish(change) {
      const set = subscribers.get(change.accountId);
      if (set === undefined) return;
      const frame = balanceFrame(change);
      for (const connection of set) deliver(connection, change, frame);
    },

    async close() {
      closing = true;
      clearInterval(heartbeat);
      const closed = [...connections].map(
        ({ ws }) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
      );
      for (const { ws } of connections) ws.close(1001, 'server shutting down');
      const timer = setTimeout(() => {
        for (const { ws } of connections) ws.terminate();
      }, streamCloseTimeoutMs);
      await Promise.all(closed);
      clearTimeout(timer);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },

    get connectionCount() {
      return connections.size;
    },
  };
}

function refuseUpgrade(socket: Duplex, error: LedgerError, requestId: string): void {
  const body = JSON.stringify(problemFromError(error));
  const retryAfter = error.options.retryAfterSeconds;
  socket.end(
    `HTTP/1.1 ${error.status} ${problemFromError(error).title}\r\n` +
      `Content-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      (retryAfter === undefined ? '' : `Retry-After: ${retryAfter}\r\n`) +
      `Connection: close\r\n\r\n${body}`,
  );
}

const noHooks: BalanceStreamHooks = {
  connections: () => undefined,
  drop: () => undefined,
  push: () => undefined,
};
