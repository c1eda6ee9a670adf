import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  LedgerError,
  assert,
  checkAccounts,
  type ErrorCode,
  type Logger,
  type Principal,
} from '@ledger/runtime';
import type { BalanceSnapshot } from './accountModel.ts';
import type { QueryAdmission } from './http/admission.ts';
import { balanceFrame } from './http/responseBodies.ts';
import { parseStreamRequest, type StreamRequest } from './streamMessages.ts';
import { createStreamUpgrades, type UpgradeHandler } from './streamUpgrade.ts';
import {
  createStreamSequencer,
  defaultStreamSequencerLimits,
  type GapReason,
  type StreamSequencer,
  type StreamStart,
} from './streamSequencer.ts';

/**
 * `GET /v1/stream`: balance changes pushed over a WebSocket (docs/contract.md). A client sends
 * `{ "subscribe": [ids] }` / `{ "unsubscribe": [ids] }`; the server answers with `subscribed` /
 * `unsubscribed`, then pushes `{ "type": "balance", accountId, balance, available, version }`
 * for every change of those accounts (`available`: the balance when the change has none),
 * starting with the current balance (the cached one when cached, else the read model's). Per
 * connection and account, versions go out strictly in order, each one once
 * (streamSequencer.ts): the feed delivers an account's versions out of order (they come from
 * several projector partitions), so a version that arrives before its predecessor is held until
 * the predecessor comes or the gap timeout gives up on it (counted: only a projector crash or
 * compaction leaves a version unpublished); duplicates and overtaken versions are dropped.
 *
 * Every resource is bounded: connections, subscriptions per connection, frame size, the client
 * messages waiting to be handled (past streamPendingMessagesMax the connection is closed with
 * 1008), and the bytes buffered for a client that does not read, pushes and answers alike (it is
 * cut off, not buffered for without end).
 * Per client (API key, or address with keys off), the connections opened and the accounts
 * subscribed per window are rate-limited (an upgrade answers 429, a subscribe an error frame
 * with `rate_limited` and `retryAfterSeconds`); a key with a tenant may subscribe only to
 * accounts inside it (an error frame with `forbidden`, nothing of that message subscribed).
 */
export interface BalanceStream {
  /** `GET /v1/stream`'s handshake: admitted, refused or handed to ws (streamUpgrade.ts). */
  readonly handleUpgrade: UpgradeHandler;
  /** A change from the feed, in the order the feed delivered it. */
  publish(change: BalanceSnapshot): void;
  /** Whether any connection subscribes to this account. */
  isSubscribed(accountId: string): boolean;
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

/** Why the server refused or cut a connection (query_api_stream_drops_total{reason}). */
export type StreamDropReason = 'slow' | 'heartbeat' | 'connections_max' | 'pending_messages_max';

export interface BalanceStreamHooks {
  connections(count: number): void;
  drop(reason: StreamDropReason): void;
  push(): void;
  /** A connection gave up waiting for a version and pushed its successors (a hole it skipped). */
  gap(reason: GapReason): void;
}

export interface BalanceStreamDeps {
  readonly options: BalanceStreamOptions;
  readonly admission: QueryAdmission;
  /**
   * The cached balance, read synchronously at subscribe: no change can slip in between reading
   * it and starting the account's order from it.
   */
  readonly current: (accountId: string) => BalanceSnapshot | undefined;
  /** The current balance when not cached (a read through the cache); changes are held meanwhile. */
  readonly snapshot: (accountId: string) => Promise<BalanceSnapshot | undefined>;
  readonly logger: Logger;
  readonly hooks?: Partial<BalanceStreamHooks>;
  readonly now: () => number;
}

/** A client message holds at most a subscription list; 64 KiB like every request body. */
export const streamMessageBytesMax = 64 * 1024;
/** How long close() lets clients answer the close handshake before cutting them off. */
export const streamCloseTimeoutMs = 2_000;
/** How often held-back versions are checked against the gap timeout (a fraction of it). */
export const streamGapCheckIntervalMs = 250;
/** Seconds a client refused for connectionsMax is asked to wait before reconnecting. */
export const streamRetryAfterSeconds = 5;
/**
 * Client messages one connection may have waiting to be handled, the one being handled included.
 * They are handled one after the other and a subscribe waits for its rate-limit decision (a Redis
 * round trip, up to 250 ms when Redis is slow), so a client that sends faster would otherwise
 * queue without end. Room for one subscribe per account up to the default 100 subscriptions sent
 * at once; at the defaults (≤ 100 ids of ≤ 64 characters each) about 1 MiB, like
 * bufferedBytesMax on the way out. Past it the connection is closed with 1008.
 */
export const streamPendingMessagesMax = 128;
/** Policy violation (RFC 6455 7.4.1): the client broke a limit of the server's. */
const closePolicyViolation = 1008;

/** One balance frame on its way out, built once per change and shared by every connection. */
interface Outgoing {
  readonly version: number;
  readonly frame: string;
}

interface Connection {
  readonly ws: WebSocket;
  /**
   * Per subscribed account (its tracked accounts are the subscriptions): the next version to
   * push and the versions held until then.
   */
  readonly order: StreamSequencer<Outgoing>;
  /** Who opened it: its tenant bounds what it may subscribe to. */
  readonly principal: Principal;
  readonly clientKey: string;
  /** The client's messages, handled one after the other (a subscribe waits for its limit). */
  pending: Promise<void>;
  /** How many messages `pending` holds, at most streamPendingMessagesMax. */
  pendingMessages: number;
  alive: boolean;
}

function outgoing(change: BalanceSnapshot): Outgoing {
  return { version: change.version, frame: balanceFrame(change) };
}

export function createBalanceStream(deps: BalanceStreamDeps): BalanceStream {
  const { options, logger, now } = deps;
  const hooks: BalanceStreamHooks = { ...noHooks, ...deps.hooks };
  assert(
    streamGapCheckIntervalMs < defaultStreamSequencerLimits.gapTimeoutMs,
    'held-back versions must be checked more often than the gap timeout',
  );
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

  // Held-back versions are released by time as well as by arrivals: a hole that never fills
  // (a projector crash) must not stall a client that gets no further changes.
  const gapCheck = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (connection.order.buffered > 0) push(connection, connection.order.expire(at));
    }
  }, streamGapCheckIntervalMs);
  gapCheck.unref();

  function drop(connection: Connection, reason: 'slow' | 'heartbeat'): void {
    hooks.drop(reason);
    logger.info('stream client disconnected', { reason });
    connection.ws.terminate(); // a close frame would queue behind what the client did not read
  }

  /** Sends what the connection's order released, in that order. */
  function push(connection: Connection, items: readonly Outgoing[]): void {
    if (items.length === 0) return;
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    if (connection.ws.bufferedAmount > options.bufferedBytesMax) {
      drop(connection, 'slow');
      return;
    }
    for (const item of items) {
      connection.ws.send(item.frame);
      hooks.push();
    }
  }

  /** An answer to the client: bounded like a push, or a client sending without reading piles up. */
  function sendControl(connection: Connection, frame: Record<string, unknown>): void {
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    if (connection.ws.bufferedAmount > options.bufferedBytesMax) {
      drop(connection, 'slow');
      return;
    }
    connection.ws.send(JSON.stringify(frame));
  }

  /** Closed with a reason the client can read (it may read fine); cut off if it does not answer. */
  function closeForPendingMessages(connection: Connection): void {
    const { ws } = connection;
    hooks.drop('pending_messages_max');
    logger.info('stream client disconnected', { reason: 'pending_messages_max' });
    ws.close(closePolicyViolation, `more than ${streamPendingMessagesMax} messages pending`);
    const cutOff = setTimeout(() => ws.terminate(), streamCloseTimeoutMs);
    cutOff.unref();
    ws.once('close', () => clearTimeout(cutOff));
  }

  function sendError(
    connection: Connection,
    code: ErrorCode,
    detail: string,
    retryAfterSeconds?: number,
  ): void {
    sendControl(connection, {
      type: 'error',
      code,
      detail,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }

  async function subscribe(connection: Connection, accountIds: readonly string[]): Promise<void> {
    const { order } = connection;
    const forbidden = checkAccounts(
      connection.principal,
      accountIds.map((accountId, index) => [`subscribe[${index}]`, accountId] as const),
    );
    if (forbidden !== undefined) {
      sendError(connection, forbidden.code, forbidden.detail);
      return;
    }
    const added = [...new Set(accountIds)].filter((id) => !order.isTracked(id));
    if (order.trackedCount + added.length > options.subscriptionsPerConnectionMax) {
      sendError(
        connection,
        'invalid_request',
        `at most ${options.subscriptionsPerConnectionMax} subscriptions per connection`,
      );
      return;
    }
    const limited = await deps.admission.admitSubscriptions(connection.clientKey, added.length);
    if (limited !== undefined) {
      sendError(connection, limited.code, limited.detail, limited.options.retryAfterSeconds);
      return;
    }
    // Closed while the limit was asked: its subscriptions are forgotten already.
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    for (const accountId of added) {
      order.track(accountId);
      const set = subscribers.get(accountId) ?? new Set<Connection>();
      set.add(connection);
      subscribers.set(accountId, set);
    }
    sendControl(connection, { type: 'subscribed', accountIds });
    const begin = (accountId: string, start: StreamStart<Outgoing>) =>
      push(connection, order.begin(accountId, start, now()));
    for (const accountId of added) {
      const cached = deps.current(accountId);
      if (cached !== undefined) {
        begin(accountId, { kind: 'current', item: outgoing(cached) });
        continue;
      }
      // Changes arriving while this reads are held by the order, and the ones the read covers
      // dropped when it begins.
      deps.snapshot(accountId).then(
        (current) =>
          begin(
            accountId,
            current === undefined
              ? { kind: 'absent' }
              : { kind: 'current', item: outgoing(current) },
          ),
        (error: unknown) => {
          logger.debug('stream snapshot failed', { error });
          begin(accountId, { kind: 'unknown' });
        },
      );
    }
  }

  function unsubscribe(connection: Connection, accountIds: readonly string[]): void {
    for (const accountId of accountIds) forget(connection, accountId);
    sendControl(connection, { type: 'unsubscribed', accountIds });
  }

  function forget(connection: Connection, accountId: string): void {
    connection.order.untrack(accountId);
    const set = subscribers.get(accountId);
    set?.delete(connection);
    if (set?.size === 0) subscribers.delete(accountId);
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    // Closing (cut off or over a limit): what the client still sends is not handled.
    if (connection.ws.readyState !== WebSocket.OPEN) return;
    let request: StreamRequest;
    try {
      request = parseStreamRequest(data, isBinary, options.subscriptionsPerConnectionMax);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      sendError(connection, error.code, error.detail);
      return;
    }
    if (connection.pendingMessages >= streamPendingMessagesMax) {
      closeForPendingMessages(connection);
      return;
    }
    connection.pendingMessages += 1;
    connection.pending = connection.pending
      .then(() => {
        if (connection.ws.readyState !== WebSocket.OPEN) return; // nobody to answer
        return request.action === 'subscribe'
          ? subscribe(connection, request.accountIds)
          : unsubscribe(connection, request.accountIds);
      })
      .catch((error: unknown) => logger.warn('stream message failed', { error }))
      .finally(() => {
        connection.pendingMessages -= 1;
      });
  }

  function accept(ws: WebSocket, principal: Principal, clientKey: string): void {
    const connection: Connection = {
      ws,
      order: createStreamSequencer<Outgoing>(defaultStreamSequencerLimits, (reason) =>
        hooks.gap(reason),
      ),
      principal,
      clientKey,
      pending: Promise.resolve(),
      pendingMessages: 0,
      alive: true,
    };
    connections.add(connection);
    hooks.connections(connections.size);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
    ws.on('error', (error) => logger.debug('stream socket error', { error }));
    ws.on('close', () => {
      for (const accountId of connection.order.tracked()) forget(connection, accountId);
      connections.delete(connection);
      hooks.connections(connections.size);
    });
  }

  function capacityRefusal(): LedgerError | undefined {
    if (closing) return new LedgerError('unavailable', 'the server is shutting down');
    if (connections.size < options.connectionsMax) return undefined;
    hooks.drop('connections_max');
    return new LedgerError('overloaded', 'too many stream connections', {
      retryAfterSeconds: streamRetryAfterSeconds,
    });
  }

  return {
    handleUpgrade: createStreamUpgrades({
      wss,
      admission: deps.admission,
      logger,
      isClosing: () => closing,
      capacityRefusal,
      accept,
    }),

    isSubscribed: (accountId) => subscribers.has(accountId),
    publish(change) {
      const set = subscribers.get(change.accountId);
      if (set === undefined) return;
      const item = outgoing(change);
      const at = now();
      for (const connection of set)
        push(connection, connection.order.offer(change.accountId, item, at));
    },

    async close() {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(gapCheck);
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

const noHooks: BalanceStreamHooks = {
  connections: () => undefined,
  drop: () => undefined,
  push: () => undefined,
  gap: () => undefined,
};
