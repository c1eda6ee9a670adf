/** A balance read over the query API's HTTP route, as a client sees it. */
export interface BalanceAnswer {
  readonly status: number;
  readonly cache: string | null;
  readonly body: { accountId: string; balance: string; version: number } & Record<string, unknown>;
}

/** `GET /v1/accounts/{accountId}/balance` of a query API listening on 127.0.0.1 at `port`. */
export async function getBalance(
  instance: { readonly port: number },
  accountId: string,
  query = '',
): Promise<BalanceAnswer> {
  const response = await fetch(
    `http://127.0.0.1:${instance.port}/v1/accounts/${accountId}/balance${query}`,
  );
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    body: (await response.json()) as BalanceAnswer['body'],
  };
}

/** What makes a query-api instance one of several in a test: its own id, loopback, a small pool. */
export function queryApiInstanceEnv(name: string): Record<string, string> {
  return {
    LEDGER_QUERY_API_INSTANCE_ID: `${name}-${process.pid}`,
    LEDGER_QUERY_API_HOST: '127.0.0.1',
    LEDGER_QUERY_API_PG_POOL_MAX: '4',
  };
}
