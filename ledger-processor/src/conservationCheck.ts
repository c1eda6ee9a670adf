import { throttledRead, type Logger } from '@ledger/runtime';
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

/**
 * The least time between two conservation checks, however often Prometheus (or several of them)
 * scrapes: the check reads every account row (about 150 ms for 1M accounts).
 */
export const conservationCheckIntervalMs = 60_000;

/** Per currency, the sum of every account's balance: money is only moved, so it must be 0. */
const balanceSumsSql = `select currency, sum(balance)::text as total from accounts group by currency`;

/**
 * `ledger_processor_conservation_failures`: currencies whose balances do not sum to zero, from
 * one snapshot of the ledger of record (a double-entry ledger creates and destroys no money).
 * Read when Prometheus scrapes, at most once per conservationCheckIntervalMs; the last result
 * stands while Postgres does not answer (ledger_dependency_up says so).
 */
export function registerConservationGauge(
  registry: Registry,
  deps: { readonly pool: pg.Pool; readonly logger: Logger; readonly now: () => number },
): void {
  let failures = 0;
  const check = throttledRead(
    async () => {
      const { rows } = await deps.pool.query<{ currency: string; total: string }>(balanceSumsSql);
      const unbalanced = rows.filter(({ total }) => total !== '0');
      if (unbalanced.length > 0) {
        deps.logger.error('conservation check failed: balances do not sum to zero', {
          currencies: unbalanced.map(({ currency, total }) => `${currency} ${total}`),
        });
      }
      return unbalanced.length;
    },
    conservationCheckIntervalMs,
    deps.now,
  );
  new Gauge({
    name: 'ledger_processor_conservation_failures',
    help: 'Currencies whose account balances do not sum to zero (checked at most once a minute)',
    registers: [registry],
    async collect() {
      try {
        failures = await check();
      } catch (error) {
        deps.logger.warn('conservation check could not read the accounts', { error });
      }
      this.set(failures);
    },
  });
}
