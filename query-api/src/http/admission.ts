import type { IncomingMessage } from 'node:http';
import {
  LedgerError,
  anonymousPrincipal,
  checkAccounts,
  isApiKeyRefusal,
  rateLimitKeyOf,
  requireScope,
  type ApiKeys,
  type Principal,
  type RateLimiter,
} from '@ledger/runtime';

/**
 * Who may read and how often, for every /v1 path of this service: the lean routes, the express
 * routes and the WebSocket stream all ask here. Every /v1 route is a read, so a key needs
 * `accounts:read` (runtime's authorization.ts has the scopes and the tenant rule); with keys off
 * every request acts as the anonymous principal and is limited by its socket address (this
 * service has no `trust proxy`: behind a balancer, turn keys on to limit per client).
 */
export interface QueryAdmission {
  /** The key (401) and the `accounts:read` scope (403): who the request acts for, or why not. */
  authorize(authorization: string | undefined): Principal | LedgerError;
  /**
   * `authorize`, then the per-client request limit (429). Synchronous while the limit is off
   * (LEDGER_QUERY_API_RATE_LIMIT=0), so a cached read then still creates no promise.
   */
  admit(
    request: IncomingMessage,
    authorization: string | undefined,
  ): Principal | LedgerError | Promise<Principal | LedgerError>;
  /** The rate-limit identity: the key's id, or with keys off the socket address. */
  clientKeyOf(request: IncomingMessage, principal: Principal): string;
  /** 429 for opening a stream connection, undefined when it may. */
  admitStreamConnection(clientKey: string): Promise<LedgerError | undefined>;
  /** 429 for subscribing `accounts` more accounts, undefined when it may. */
  admitSubscriptions(clientKey: string, accounts: number): Promise<LedgerError | undefined>;
}

/** The three per-client limits, each counted in query_api_rate_limited_total{limit}. */
export type QueryRateLimitName = 'requests' | 'stream_connects' | 'stream_subscriptions';

export interface QueryAdmissionDeps {
  readonly apiKeys: ApiKeys;
  /** Undefined: no per-request limit. */
  readonly requests: RateLimiter | undefined;
  readonly streamConnects: RateLimiter;
  readonly streamSubscriptions: RateLimiter;
  readonly onRateLimited: (limit: QueryRateLimitName) => void;
}

export function createQueryAdmission(deps: QueryAdmissionDeps): QueryAdmission {
  const { apiKeys, requests } = deps;

  function authorize(authorization: string | undefined): Principal | LedgerError {
    if (!apiKeys.enabled) return anonymousPrincipal;
    const result = apiKeys.authenticate(authorization);
    if (isApiKeyRefusal(result)) return result;
    return requireScope(result, 'accounts:read') ?? result;
  }

  function clientKeyOf(request: IncomingMessage, principal: Principal): string {
    return rateLimitKeyOf(principal, request.socket.remoteAddress);
  }

  async function limit(
    limiter: RateLimiter,
    name: QueryRateLimitName,
    clientKey: string,
    points: number,
  ): Promise<LedgerError | undefined> {
    const decision = await limiter.take(clientKey, points);
    if (decision.allowed) return undefined;
    deps.onRateLimited(name);
    return new LedgerError('rate_limited', `too many ${what[name]} from this client; retry later`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }

  return {
    authorize,
    clientKeyOf,
    admit(request, authorization) {
      const principal = authorize(authorization);
      if (principal instanceof LedgerError || requests === undefined) return principal;
      return limit(requests, 'requests', clientKeyOf(request, principal), 1).then(
        (refusal) => refusal ?? principal,
      );
    },
    admitStreamConnection: (clientKey) =>
      limit(deps.streamConnects, 'stream_connects', clientKey, 1),
    admitSubscriptions: (clientKey, accounts) =>
      limit(deps.streamSubscriptions, 'stream_subscriptions', clientKey, Math.max(1, accounts)),
  };
}

const what: Record<QueryRateLimitName, string> = {
  requests: 'requests',
  stream_connects: 'stream connections',
  stream_subscriptions: 'subscriptions',
};

/** 403 `forbidden` when the account is outside the key's tenant (a path id of a read). */
export function checkAccountRead(principal: Principal, accountId: string): void {
  const forbidden = checkAccounts(principal, [['accountId', accountId]]);
  if (forbidden !== undefined) throw forbidden;
}
