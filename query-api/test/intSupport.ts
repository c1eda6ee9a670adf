import type { LedgerTestEnvironment } from '@ledger/testing';
import { queryApiInstanceEnv } from '@ledger/testing/queryApiClient';
import { testLogger, testServiceOptions } from '@ledger/testing/testServices';
import type { Producer } from 'kafkajs';
import { readQueryApiConfig } from '../src/config.ts';
import { startQueryApi, type RunningQueryApi } from '../src/wiring.ts';

/**
 * Plays the ledger processor against the real stack: writes `accounts` rows (the ledger of
 * record, which a cache miss reads) into the test's schema and publishes BalanceChanged to its
 * balances topic, always committing a version to Postgres before publishing it (the order the
 * processor's outbox guarantees).
 */
export function processorStandIn(env: LedgerTestEnvironment, producer: Producer) {
  return {
    async openAccount(accountId: string, balance = 0n, version = 1): Promise<void> {
      await env.pool.query(
        `insert into accounts (id, currency, overdraft_limit, status, balance, version, metadata,
                               created_at, opened_by_command_id, open_request_hash)
         values ($1, 'USD', 0, 'open', $2, $3, '{"tier":"test"}', now(), $1, $1)`,
        [accountId, balance.toString(), version],
      );
    },

    /** Moves the ledger's row forward to `version` (never back), as the processor's commit does. */
    async commit(accountId: string, version: number, balance: bigint): Promise<void> {
      await env.pool.query(
        `update accounts set balance = $2, version = $3 where id = $1 and version < $3`,
        [accountId, balance.toString(), version],
      );
    },

    /** Publishes changes in the order given (duplicates and out-of-order versions included). */
    async publish(changes: readonly { accountId: string; version: number; balance: bigint }[]) {
      await producer.send({
        topic: env.topics.balances,
        messages: changes.map((change) => ({
          key: change.accountId,
          value: env.serde.encodeBalance({ ...change, currency: 'USD', updatedAt: Date.now() }),
        })),
      });
    },
  };
}

/** The balance the processor stand-in gives an account at a version. */
export const balanceAt = (version: number): bigint => BigInt(version) * 1_000_000_000_000n;

/** A query-api instance with the production wiring, on a free port of 127.0.0.1. */
export const startInstance = (env: LedgerTestEnvironment, name: string): Promise<RunningQueryApi> =>
  startQueryApi(
    readQueryApiConfig(env.env(queryApiInstanceEnv(name))),
    testLogger.child({ instance: name }),
    testServiceOptions(`query-api ${name}`),
  );

/** Balance changes an instance's feed consumed so far, whatever it did with them. */
export async function changesConsumed(instance: RunningQueryApi): Promise<number> {
  const metric = await instance.registry.getSingleMetric('query_api_changes_total')?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}
