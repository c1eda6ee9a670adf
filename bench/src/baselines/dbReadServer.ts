import { createServer, type Server, type ServerResponse } from 'node:http';
import { idPattern } from '@ledger/schemas/fieldRules';
import type pg from 'pg';

/**
 * Baseline (b): the read path without a cache. `GET /v1/accounts/{id}/balance` on the same lean
 * node:http shape as baseline (a), but every request runs one prepared statement on Postgres.
 * This is what query-api's cache is measured against (the target is ≥ 20×, docs/architecture.md).
 */

/** Where balances are read from: the projector's read model when it exists, else the ledger. */
export interface BalanceSource {
  readonly table: string;
  readonly idColumn: string;
}

/**
 * The pool: Postgres does the work here, on the same 2 cores. A handful of connections per core
 * keeps it busy while requests cross the socket; more only adds context switches and lock churn
 * in the buffer manager. About four per core; override with BENCH_DB_READ_POOL_MAX to try others.
 */
export const dbReadPoolMaxDefault = 8;

/** The id segment is then held to the contract's id rule (@ledger/schemas), as the query API does. */
const balancePath = /^\/v1\/accounts\/([^/?]+)\/balance(?:\?.*)?$/;

/** Picks the read model if the projector created it (its id column name included). */
export async function findBalanceSource(pool: pg.Pool, schema: string): Promise<BalanceSource> {
  const columns = await pool.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = $1 and table_name = 'account_view'`,
    [schema],
  );
  const names = new Set(columns.rows.map((row) => row.column_name));
  if (names.has('balance') && names.has('version') && names.has('currency')) {
    return { table: 'account_view', idColumn: names.has('account_id') ? 'account_id' : 'id' };
  }
  return { table: 'accounts', idColumn: 'id' };
}

export function createDbReadServer(pool: pg.Pool, source: BalanceSource): Server {
  // Identifiers come from information_schema above, never from a request.
  const text =
    `select ${source.idColumn} as id, currency, balance::text as balance, version::text as version ` +
    `from ${source.table} where ${source.idColumn} = $1`;
  return createServer((request, response) => {
    const match = request.method === 'GET' ? balancePath.exec(request.url ?? '') : null;
    const accountId = match?.[1];
    if (accountId === undefined || !idPattern.test(accountId)) {
      send(response, 404, '{"code":"not_found"}');
      return;
    }
    pool.query<{ id: string; currency: string; balance: string; version: string }>(
      { name: 'bench-balance', text, values: [accountId] },
      (error, result) => {
        if (error) {
          send(response, 503, '{"code":"overloaded"}');
          return;
        }
        const row = result.rows[0];
        if (row === undefined) {
          send(response, 404, '{"code":"not_found"}');
          return;
        }
        send(
          response,
          200,
          JSON.stringify({
            accountId: row.id,
            currency: row.currency.trim(),
            balance: row.balance,
            version: Number(row.version),
          }),
        );
      },
    );
  });
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
