import { LedgerError } from './errors.ts';

/**
 * What an API key may do. The one list: the key file, the keys CLI, both APIs, the WebSocket and
 * the ops routes all check against it.
 *
 * | scope             | grants                                                                  |
 * | ----------------- | ----------------------------------------------------------------------- |
 * | `accounts:read`   | every GET under /v1 (accounts, balances, history, transfers, commands)  |
 * |                   | and the `/v1/stream` WebSocket                                          |
 * | `accounts:write`  | `POST /v1/accounts`                                                     |
 * | `transfers:write` | `POST /v1/transfers`, `POST /v1/transfers/batch`                        |
 * | `ops:read`        | `GET /metrics` and the check details of `GET /readyz`                   |
 */
export const apiScopes = [
  'accounts:read',
  'accounts:write',
  'transfers:write',
  'ops:read',
] as const;
export type ApiScope = (typeof apiScopes)[number];

export function isApiScope(value: string): value is ApiScope {
  return (apiScopes as readonly string[]).includes(value);
}

/** Who a request acts for, once its key (if keys are on) was checked. */
export interface Principal {
  /** The key's id (key file) or `env-…` (LEDGER_API_KEYS); undefined when keys are off. */
  readonly keyId: string | undefined;
  readonly scopes: ReadonlySet<ApiScope>;
  /**
   * The key's tenant: every account id a request touches must start with it. Undefined: any
   * account.
   */
  readonly accountPrefix: string | undefined;
}

const everyScope: ReadonlySet<ApiScope> = new Set(apiScopes);

/** With keys off every request acts as this: all scopes, any account, limited by address. */
export const anonymousPrincipal: Principal = {
  keyId: undefined,
  scopes: everyScope,
  accountPrefix: undefined,
};

/** A key with every scope and no tenant: how LEDGER_API_KEYS's plaintext keys act. */
export function unrestrictedPrincipal(keyId: string): Principal {
  return { keyId, scopes: everyScope, accountPrefix: undefined };
}

/** 403 `forbidden` unless the key holds the scope. */
export function requireScope(principal: Principal, scope: ApiScope): LedgerError | undefined {
  if (principal.scopes.has(scope)) return undefined;
  return new LedgerError('forbidden', `this API key lacks the ${scope} scope`);
}

/** Whether the key may touch this account: its id starts with the key's prefix (if any). */
export function mayUseAccount(principal: Principal, accountId: string): boolean {
  const prefix = principal.accountPrefix;
  return prefix === undefined || accountId.startsWith(prefix);
}

/**
 * 403 `forbidden` for the first account a request names outside the key's tenant: path ids, an
 * opened account, and both sides of every transfer (a tenant moves money between its own
 * accounts only; funding from outside goes through a key without a prefix). Named by field:
 * the id itself is the client's own input.
 */
export function checkAccounts(
  principal: Principal,
  accounts: readonly (readonly [field: string, accountId: string])[],
): LedgerError | undefined {
  if (principal.accountPrefix === undefined) return undefined;
  for (const [field, accountId] of accounts) {
    if (!mayUseAccount(principal, accountId)) {
      return new LedgerError('forbidden', `${field} is outside the accounts this API key may use`);
    }
  }
  return undefined;
}

/**
 * Reads of a record by its id (a transfer, a command's outcome) that names accounts: visible when
 * any of them is inside the tenant (it moved the tenant's money, and the account's history shows
 * it with its counterparty anyway). Callers answer 404, as for an unknown id, when it is not:
 * transfer ids are chosen by clients and guessable, so a 403 would confirm another tenant's.
 */
export function maySeeRecord(principal: Principal, accountIds: readonly string[]): boolean {
  if (principal.accountPrefix === undefined) return true;
  return accountIds.some((accountId) => mayUseAccount(principal, accountId));
}

/**
 * The identity requests are rate-limited by: the key, or with keys off the client's address.
 * Never the key's secret (only its id or a digest prefix of it).
 */
export function rateLimitKeyOf(principal: Principal, address: string | undefined): string {
  if (principal.keyId !== undefined) return `key:${principal.keyId}`;
  return `addr:${address ?? 'unknown'}`;
}
