import type { AddressInfo } from 'node:net';
import {
  closeServer,
  createApiKeys,
  createLogger,
  createMetricsRegistry,
  listen,
} from '@ledger/runtime';
import type { CachedAccount } from '../src/accountModel.ts';
import type { HistoryItem, ReadModels, TransferView } from '../src/postgres/readModels.ts';
import {
  createQueryApp,
  type QueryApp,
  type QueryAppDeps,
  type QueryAppOptions,
} from '../src/queryApp.ts';

/** The projector's read models in memory, counting account loads. */
export function inMemoryReadModels() {
  const accounts = new Map<string, CachedAccount>();
  const history = new Map<string, HistoryItem[]>();
  const transfers = new Map<string, TransferView>();
  const counts = { accountLoads: 0 };
  /** While set, account loads wait for it: a slow database, to observe concurrent misses. */
  let gate: Promise<void> | undefined;
  const readModels: ReadModels = {
    loadAccount: async (accountId) => {
      counts.accountLoads += 1;
      await gate;
      return accounts.get(accountId);
    },
    loadHistory: (accountId, beforeVersion, limit) =>
      Promise.resolve(
        (history.get(accountId) ?? [])
          .filter((item) => item.version < (beforeVersion ?? Number.MAX_SAFE_INTEGER))
          .sort((a, b) => b.version - a.version)
          .slice(0, limit),
      ),
    loadTransfer: (transferId) => Promise.resolve(transfers.get(transferId)),
    // The accounts by id, without the scan cap (the Postgres test covers it).
    listAccounts: (query) => {
      const matching = [...accounts.values()]
        .filter(
          (account) =>
            account.accountId > query.afterId &&
            account.accountId >= query.fromId &&
            account.accountId < query.beforeId &&
            (query.status === undefined || account.details?.status === query.status) &&
            (query.currency === undefined || account.currency === query.currency),
        )
        .sort((a, b) => Buffer.compare(Buffer.from(a.accountId), Buffer.from(b.accountId)));
      const page = matching.slice(0, query.limit).map((account) => ({
        accountId: account.accountId,
        currency: account.currency,
        balanceText: String(account.balance),
        availableText: String(account.available ?? account.balance),
        version: account.version,
        revision: account.revision ?? 1,
        status: account.details?.status ?? 'open',
        overdraftLimitText: String(account.details?.overdraftLimit ?? 0n),
        createdAt: account.details?.createdAt ?? new Date(0).toISOString(),
        metadata: account.details?.metadata ?? {},
      }));
      const nextAfterId = matching.length > query.limit ? page.at(-1)?.accountId : undefined;
      return Promise.resolve({ accounts: page, nextAfterId });
    },
    // The postings as the history holds them; the opening time from the account's details.
    loadBalanceAtVersion: (accountId, version) => {
      const found = accounts.get(accountId);
      if (found === undefined) return Promise.resolve({ kind: 'unknown_account' as const });
      if (version > found.version) {
        return Promise.resolve({ kind: 'ahead' as const, currentVersion: found.version });
      }
      const item = history.get(accountId)?.find((entry) => entry.version === version);
      const balanceText = version === 1 ? '0' : String(item?.balanceAfter);
      const availableText = version === 1 ? '0' : String(item?.availableAfter);
      return Promise.resolve({
        kind: 'found' as const,
        balance: { accountId, currency: found.currency, balanceText, availableText, version },
      });
    },
    loadBalanceAtTime: (accountId, atMs) => {
      const found = accounts.get(accountId);
      if (found === undefined) return Promise.resolve({ kind: 'unknown_account' as const });
      const openedAt = found.details?.createdAt ?? new Date(0).toISOString();
      if (Date.parse(openedAt) > atMs) {
        return Promise.resolve({ kind: 'before_opening' as const, openedAt });
      }
      let last: HistoryItem | undefined;
      for (const item of history.get(accountId) ?? []) {
        if (Date.parse(item.postedAt) <= atMs && item.version > (last?.version ?? 1)) last = item;
      }
      return Promise.resolve({
        kind: 'found' as const,
        balance: {
          accountId,
          currency: found.currency,
          balanceText: String(last?.balanceAfter ?? 0n),
          availableText: String(last?.availableAfter ?? 0n),
          version: last?.version ?? 1,
        },
      });
    },
  };
  /** Holds account loads until the returned function is called. */
  const holdLoads = (): (() => void) => {
    let release = (): void => undefined;
    gate = new Promise<void>((resolve) => {
      release = () => {
        gate = undefined;
        resolve();
      };
    });
    return release;
  };
  return { accounts, history, transfers, counts, readModels, holdLoads };
}

export const testOptions: QueryAppOptions = {
  cache: { entriesMax: 1_000, loadsInFlightMax: 100, versionFloorsMax: 1_000 },
  waiters: { waitersMax: 100, waitersPerAccountMax: 10 },
  stream: {
    connectionsMax: 10,
    subscriptionsPerConnectionMax: 5,
    bufferedBytesMax: 64 * 1024,
    heartbeatIntervalMs: 30_000,
  },
  rateLimit: {
    requests: 100_000,
    requestsShared: false,
    streamConnects: 100,
    streamSubscriptions: 10_000,
    windowMs: 1_000,
  },
  httpConnectionsMax: 1_000,
};

export interface TestApp {
  readonly app: QueryApp;
  readonly baseUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The real app over an in-memory read model, listening on a free port of 127.0.0.1. Keys are off
 * and the rate limits local unless `deps` says otherwise.
 */
export async function startTestApp(
  readModels: ReadModels,
  options: Partial<QueryAppOptions> = {},
  deps: Partial<Pick<QueryAppDeps, 'apiKeys' | 'rateLimitStore'>> = {},
): Promise<TestApp> {
  let nextId = 0;
  const app = createQueryApp({
    readModels,
    options: { ...testOptions, ...options },
    apiKeys: deps.apiKeys ?? createApiKeys({}),
    ...(deps.rateLimitStore === undefined ? {} : { rateLimitStore: deps.rateLimitStore }),
    registry: createMetricsRegistry('query-api-test'),
    readiness: [],
    isAccepting: () => true,
    ids: () => `generated-${(nextId += 1)}`,
    now: () => Date.now(),
    logger: createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') }),
  });
  await listen(app.server, 0, '127.0.0.1');
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await closeServer(app.server);
    },
  };
}
