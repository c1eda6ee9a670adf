import { randomUUID } from 'node:crypto';
import { waitUntil, type LedgerTestEnvironment } from '@ledger/infra';
import type pg from 'pg';
import { ledgerBalances } from './readModelCheck.ts';

export interface BalanceSeen {
  readonly balance: string;
  readonly version: number;
}

/**
 * Reads the balances changelog from the beginning with a group of its own and waits until, for
 * every account of the ledger, the LAST message of its key (what compaction keeps) carries the
 * ledger's balance and version. Returns the last message per key and how many were read.
 */
export async function waitForBalancesTopicToMatchLedger(
  env: LedgerTestEnvironment,
  pool: pg.Pool,
  timeoutMs = 60_000,
): Promise<{ last: Map<string, BalanceSeen>; messages: number }> {
  const last = new Map<string, BalanceSeen>();
  let messages = 0;
  const consumer = env.kafka.consumer({ groupId: `${env.prefix}.balances-reader.${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: env.topics.balances, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value === null) return;
      const change = await env.serde.decodeBalance(message.value);
      if (message.key?.toString() !== change.accountId) throw new Error('balance keyed wrong');
      messages += 1;
      last.set(change.accountId, { balance: change.balance.toString(), version: change.version });
    },
  });
  try {
    let ledger = await ledgerBalances(pool);
    await waitUntil(
      async () => {
        ledger = await ledgerBalances(pool);
        return [...ledger].every(([accountId, expected]) => {
          const seen = last.get(accountId);
          return seen?.balance === expected.balance && seen.version === expected.version;
        });
      },
      'the balances changelog to end on every ledger balance',
      timeoutMs,
    );
  } finally {
    await consumer.disconnect();
  }
  return { last, messages };
}
