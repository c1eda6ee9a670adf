import type pg from 'pg';
import { accountChanges, accountStatuses } from '@ledger/schemas';

/**
 * What the auditor's totals state, restated from the ledger's own tables: the auditor never reads
 * Postgres, so its figures from the log alone must equal these.
 */
export async function ledgerTotals(pool: pg.Pool) {
  const rows = async <R extends object>(sql: string) => (await pool.query<R>(sql)).rows;
  const sums = (list: { currency: string; n: string; amount: string }[]) =>
    Object.fromEntries(list.map((r) => [r.currency, { transfers: Number(r.n), amount: r.amount }]));
  const counts = <K extends string>(keys: readonly K[], list: { key: string; n: string }[]) => ({
    ...(Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>),
    ...Object.fromEntries(list.map((r) => [r.key, Number(r.n)])),
  });
  return {
    postedByCurrency: sums(
      await rows(`select currency, count(*)::text as n, sum(amount)::text as amount
                    from transfers where status = 'posted' group by currency`),
    ),
    pendingByCurrency: sums(
      await rows(`select currency, count(*)::text as n, sum(amount)::text as amount
                    from transfers t where status = 'pending' and not exists
                      (select 1 from pending_settlements s where s.transfer_id = t.transfer_id)
                   group by currency`),
    ),
    accountsByStatus: counts(
      accountStatuses,
      await rows('select status as key, count(*)::text as n from accounts group by status'),
    ),
    accountChanges: counts(
      accountChanges,
      await rows('select change as key, count(*)::text as n from account_changes group by change'),
    ),
  };
}

/** Every account's balance, held amount and version in the ledger, by id. */
export async function ledgerBooks(pool: pg.Pool) {
  const result = await pool.query<{ id: string; balance: string; held: string; version: string }>(
    'select id, balance::text, held::text, version::text from accounts order by id',
  );
  return result.rows;
}

/** The auditor's books in the same shape as ledgerBooks. */
export function auditedBooks(
  accounts: ReadonlyMap<string, { balance: bigint; held: bigint; version: number }>,
) {
  return [...accounts]
    .map(([id, book]) => ({
      id,
      balance: book.balance.toString(),
      held: book.held.toString(),
      version: String(book.version),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
