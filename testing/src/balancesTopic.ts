import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { waitUntil, type LedgerTestEnvironment } from './ledgerTestEnvironment.ts';

export interface BalanceSeen {
  readonly balance: string;
  readonly version: number;
}

/**
 * Reads the balances changelog from the beginning with a group of its own and waits until, for
 * every account of the ledger, the LAST message of its key (what compaction keeps) carries the
 * ledger's balance and version. Returns the last message per key, every version seen per key
 * (with its balance) and how many messages were read.
 */
export async function waitForBalancesTopicToMatchLedger(
  env: LedgerTestEnvironment,
  pool: pg.Pool,
  timeoutMs = 60_000,
): Promise<{
  last: Map<string, BalanceSeen>;
  versions: Map<string, Map<number, string>>;
  messages: number;
}> {
  const last = new Map<string, BalanceSeen>();
  const versions = new Map<string, Map<number, string>>();
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
      const seen = versions.get(change.accountId) ?? new Map<number, string>();
      seen.set(change.version, change.balance.toString());
      versions.set(change.accountId, seen);
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
  return { last, versions, messages };
}

/**
 * The ledger's versions (every posting, and each account's opening at version 1) that the
 * changelog read by `waitForBalancesTopicToMatchLedger` lacks or carries with another balance,
 * as `account@version`: a stream client is promised every version, not only the newest.
 */
export async function versionsMissingFromChangelog(
  pool: pg.Pool,
  versions: ReadonlyMap<string, ReadonlyMap<number, string>>,
): Promise<string[]> {
  const postings = await pool.query<{ account_id: string; version: string; after: string }>(
    `select account_id, version, balance_after::text as after from postings
      union all select id, 1, '0' from accounts`,
  );
  return postings.rows
    .filter((row) => versions.get(row.account_id)?.get(Number(row.version)) !== row.after)
    .map((row) => `${row.account_id}@${row.version}`);
}

/** Balances of the ledger itself, the truth the balances changelog must end on. */
export async function ledgerBalances(
  pool: pg.Pool,
): Promise<Map<string, { balance: string; version: number }>> {
  const result = await pool.query<{ id: string; balance: string; version: string }>(
    `select id, balance::text as balance, version from accounts`,
  );
  return new Map(
    result.rows.map((row) => [row.id, { balance: row.balance, version: Number(row.version) }]),
  );
}
