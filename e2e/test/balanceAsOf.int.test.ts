import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import {
  command,
  createTestProducer,
  decidedCount,
  produceCommands,
  transfer,
} from '@ledger/testing/ledgerWorkload';
import { randomWorkload } from '@ledger/testing/randomWorkload';
import { readProjectorConfig } from '@ledger/projector/config';
import { startProjector, type RunningProjector } from '@ledger/projector/wiring';
import { createReadModels } from '@ledger/query-api/postgres/readModels';
import type { RunningQueryApi } from '@ledger/query-api/wiring';
import { startInstance } from './queryApiInstance.ts';

/**
 * Balance as of a version or an instant, against the real stack. The first suite runs the real
 * processor and projector in-process on a seeded random workload and holds every as-of answer
 * to the history the projector serves: the answer for version n is the history entry's
 * balanceAfter at n, and the answer for an instant is the entry of the last posting at or before
 * it. The second asks the Postgres read model alone about a long history written in SQL, where the
 * binary search over the primary key has many steps, against a plain scan of the same rows.
 */
const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);
const accounts = 6;
const transfers = 240;
/** Commands per produce request, each decided before the next: many distinct posting times. */
const produceChunk = 12;
const convergeTimeoutMs = 60_000;

interface HistoryEntry {
  readonly version: number;
  readonly balanceAfter: string;
  readonly postedAt: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

void describe(`balance as of, through the real processor and projector (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  let processor: RunningProcessor;
  let projector: RunningProjector;
  let instance: RunningQueryApi;
  const logger = createLogger({
    level: 'warn',
    write: (line) => process.stderr.write(line + '\n'),
  });

  before(async () => {
    env = await createLedgerTestEnvironment('balance-as-of');
    producer = await createTestProducer(env.kafka);
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
    projector = await startProjector(readProjectorConfig(env.env()), logger, {
      port: 0,
      onFatal: (error) => assert.fail(`projector fatal: ${String(error)}`),
    });
    instance = await startInstance(env, 'as-of');
  });

  after(async () => {
    await instance?.stop();
    await projector?.stop();
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`http://127.0.0.1:${instance.port}${path}`, { headers });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /**
   * The account's whole history as the query API serves it (the projector's read model), oldest
   * first, once it holds versions 2..`version`: the projector may commit after the cache moved.
   */
  async function history(accountId: string, version: number): Promise<HistoryEntry[]> {
    let entries: HistoryEntry[] = [];
    await waitUntil(
      async () => {
        entries = [];
        let cursor: string | null = null;
        do {
          const page = await get(
            `/v1/accounts/${accountId}/transactions?limit=200` +
              (cursor === null ? '' : `&cursor=${cursor}`),
          );
          assert.equal(page.status, 200);
          entries.push(...(page.body.items as HistoryEntry[]));
          cursor = page.body.nextCursor as string | null;
        } while (cursor !== null);
        entries.reverse();
        return entries.length === version - 1;
      },
      `the history of ${accountId} up to v${version}`,
      convergeTimeoutMs,
    );
    return entries;
  }

  /** What an as-of read of `instantMs` must answer, from the history: the last entry at or before. */
  function expectedAt(entries: readonly HistoryEntry[], instantMs: number) {
    // Nothing in this workload is ever held: what is available is the balance.
    let expected = { version: 1, balance: '0', available: '0' };
    for (const entry of entries) {
      if (Date.parse(entry.postedAt) <= instantMs && entry.version > expected.version) {
        expected = {
          version: entry.version,
          balance: entry.balanceAfter,
          available: entry.balanceAfter,
        };
      }
    }
    return expected;
  }

  void it('given a random workload, when every version and every posting time is read as of, then each answer is the history entry it names', async (t) => {
    const workload = randomWorkload({ seed, accounts, transfers });
    const total = workload.opens.length + workload.transfers.length;
    await produceCommands(producer, env.serde, env.topics.commands, workload.opens);
    // One chunk decided before the next is produced: a batch (and a posting time) per chunk.
    for (let start = 0; start < workload.transfers.length; start += produceChunk) {
      const chunk = workload.transfers.slice(start, start + produceChunk);
      await produceCommands(producer, env.serde, env.topics.commands, chunk);
      const decided = workload.opens.length + start + chunk.length;
      await waitUntil(async () => (await decidedCount(env.pool)) >= decided, 'the chunk decided');
    }
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= total,
      `all ${total} commands decided`,
      convergeTimeoutMs,
    );

    const { rows } = await env.pool.query<{ id: string; version: string }>(
      'select id, version from accounts order by id',
    );
    let versionsChecked = 0;
    let instantsChecked = 0;
    const postingTimes = new Set<string>();
    for (const row of rows) {
      const accountId = row.id;
      const current = Number(row.version);
      const entries = await history(accountId, current);
      assert.deepEqual(
        entries.map((entry) => entry.version),
        Array.from({ length: current - 1 }, (_, index) => index + 2),
        `${accountId}: the history holds versions 2..${current}`,
      );

      // Every version: its history entry's balanceAfter, immutable, never from the cache.
      const opening = await get(`/v1/accounts/${accountId}/balance?asOfVersion=1`);
      assert.equal(opening.status, 200);
      assert.deepEqual(opening.body, {
        accountId,
        currency: 'USD',
        balance: '0',
        available: '0',
        version: 1,
        asOfVersion: 1,
      });
      for (const entry of entries) {
        const answer = await get(`/v1/accounts/${accountId}/balance?asOfVersion=${entry.version}`);
        assert.equal(answer.status, 200, `${accountId}@${entry.version}`);
        assert.deepEqual(answer.body, {
          accountId,
          currency: 'USD',
          balance: entry.balanceAfter,
          available: entry.balanceAfter,
          version: entry.version,
          asOfVersion: entry.version,
        });
        assert.equal(answer.headers.get('x-cache'), 'bypass');
        assert.equal(answer.headers.get('etag'), `"v${entry.version}"`);
        assert.equal(answer.headers.get('cache-control'), 'max-age=31536000, immutable');
        versionsChecked += 1;
      }

      // Every posting time, the millisecond before it, and the opening: the last entry at or
      // before the instant (versions posted in one batch share its time).
      const account = await get(`/v1/accounts/${accountId}`);
      const openedAtMs = Date.parse(account.body.createdAt as string);
      const instants = new Set<number>([openedAtMs]);
      for (const entry of entries) {
        postingTimes.add(entry.postedAt);
        instants.add(Date.parse(entry.postedAt));
        instants.add(Date.parse(entry.postedAt) - 1);
      }
      for (const instantMs of instants) {
        const asOf = new Date(instantMs).toISOString();
        const answer = await get(`/v1/accounts/${accountId}/balance?asOf=${asOf}`);
        if (instantMs < openedAtMs) {
          assert.equal(answer.status, 404, `${accountId} before its opening`);
          assert.equal(answer.body.code, 'not_found');
          continue;
        }
        assert.equal(answer.status, 200, `${accountId} as of ${asOf}`);
        const expected = expectedAt(entries, instantMs);
        assert.deepEqual(
          answer.body,
          { accountId, currency: 'USD', ...expected, asOf },
          `${accountId} as of ${asOf}`,
        );
        assert.equal(answer.headers.get('x-cache'), 'bypass');
        assert.equal(answer.headers.get('etag'), null);
        instantsChecked += 1;
      }
      const before = await get(
        `/v1/accounts/${accountId}/balance?asOf=${new Date(openedAtMs - 1).toISOString()}`,
      );
      assert.equal(before.status, 404, `${accountId} the millisecond before its opening`);

      // The present, given as a local time with an offset: the current version.
      const later = await get(
        `/v1/accounts/${accountId}/balance?asOf=${encodeURIComponent('2999-01-01T01:00:00+01:00')}`,
      );
      assert.equal(later.body.version, current);
    }
    t.diagnostic(
      `${rows.length} accounts, ${versionsChecked} versions and ${instantsChecked} instants ` +
        `checked over ${postingTimes.size} distinct posting times`,
    );
    assert.ok(postingTimes.size > 10, 'postings from many batches');
    assert.equal((await get('/v1/accounts/ghost-0/balance?asOfVersion=1')).status, 404);
  });

  void it('given a version not written yet, when asked with a wait and then written, then it is answered once committed (read-your-writes)', async () => {
    const { rows } = await env.pool.query<{ version: string }>(
      `select version from accounts where id = 'acct-0'`,
    );
    const next = Number(rows[0]?.version) + 1;
    const notYet = await get(`/v1/accounts/acct-0/balance?asOfVersion=${next}&waitMs=0`);
    assert.equal(notYet.status, 504);
    assert.equal(notYet.body.code, 'consistency_timeout');

    // Asked before the transfer that writes it is even produced.
    const pending = get(`/v1/accounts/acct-0/balance?asOfVersion=${next}&waitMs=10000`);
    await produceCommands(producer, env.serde, env.topics.commands, [
      command(transfer(`as-of-${seed}`, 'funding', 'acct-0', 777n)),
    ]);
    const answer = await pending;
    assert.equal(answer.status, 200);
    const entries = await history('acct-0', next);
    assert.deepEqual(answer.body, {
      accountId: 'acct-0',
      currency: 'USD',
      balance: entries.at(-1)?.balanceAfter,
      available: entries.at(-1)?.balanceAfter,
      version: next,
      asOfVersion: next,
    });

    const revalidated = await get(`/v1/accounts/acct-0/balance?asOfVersion=${next}`, {
      'If-None-Match': `"v${next}"`,
    });
    assert.equal(revalidated.status, 304);
  });
});

void describe('balance as of an instant, over a long history in Postgres', () => {
  let env: LedgerTestEnvironment;
  const postings = 3_000;
  /** Posting k (version k + 1) is stamped at base + 10 ms × floor(k / 3): three per batch time. */
  const baseMs = Date.parse('2025-06-01T00:00:00.000Z');

  before(async () => {
    env = await createLedgerTestEnvironment('balance-as-of-sql');
    await env.pool.query(
      `insert into accounts (id, currency, overdraft_limit, balance, version, created_at,
                             opened_by_command_id, open_request_hash)
       values ('deep', 'USD', 0, $1, $2, $3, 'o-deep', 'h'),
              ('other', 'USD', 1000000000, -$1::numeric, $2, $3, 'o-other', 'h')`,
      [String((postings * (postings + 1)) / 2), postings + 1, new Date(baseMs - 1).toISOString()],
    );
    // Transfer k moves k from other to deep; both sides are at version k + 1 after it.
    await env.pool.query(
      `with k as (select generate_series(1, $1::int) as k)
       insert into transfers (transfer_id, idempotency_key, request_hash, command_id,
                              from_account_id, to_account_id, amount, currency, status, decided_at)
       select 't' || k, 't' || k, 'h', 'c' || k, 'other', 'deep', k, 'USD', 'posted',
              timestamptz 'epoch' + ($2::bigint + 10 * ((k - 1) / 3)) * interval '1 millisecond'
         from k`,
      [postings, baseMs],
    );
    await env.pool.query(
      `insert into postings (account_id, version, transfer_id, amount, balance_after, posted_at)
       select side.account_id, t.k + 1, 't' || t.k, side.sign * t.k,
              side.sign * t.k * (t.k + 1) / 2, tr.decided_at
         from generate_series(1, $1::int) as t (k)
         join transfers tr on tr.transfer_id = 't' || t.k
         cross join (values ('deep', 1), ('other', -1)) as side (account_id, sign)`,
      [postings],
    );
  });

  after(async () => {
    await env?.teardown();
  });

  void it('given 3000 postings three to a time, when read as of many instants, then the binary search answers what a scan does', async () => {
    const readModels = createReadModels(env.pool);
    const lastMs = baseMs + 10 * Math.floor((postings - 1) / 3);
    const instants = [baseMs - 1, baseMs, baseMs + 1, baseMs + 9, baseMs + 10, lastMs, lastMs + 1];
    for (let index = 0; index < 60; index += 1) {
      instants.push(baseMs - 1 + Math.floor(((lastMs - baseMs + 2) * index) / 60));
    }
    for (const instantMs of instants) {
      const { rows } = await env.pool.query<{ version: string | null; after: string | null }>(
        `select max(version) as version,
                (select balance_after::text from postings
                  where account_id = 'deep' and posted_at <= $1 order by version desc limit 1) as after
           from postings where account_id = 'deep' and posted_at <= $1`,
        [new Date(instantMs).toISOString()],
      );
      const scanned = rows[0];
      const found = await readModels.loadBalanceAtTime('deep', instantMs);
      assert.equal(found.kind, 'found', `as of ${new Date(instantMs).toISOString()}`);
      if (found.kind !== 'found') continue;
      assert.equal(found.balance.version, Number(scanned?.version ?? 1), String(instantMs));
      assert.equal(found.balance.balanceText, scanned?.after ?? '0', String(instantMs));
      // Versions in one batch share its time: the answer is the last of its batch.
      if (found.balance.version > 1) assert.equal((found.balance.version - 1) % 3, 0);
    }
    const opened = await readModels.loadBalanceAtTime('deep', baseMs - 2);
    assert.equal(opened.kind, 'before_opening');
    assert.deepEqual(await readModels.loadBalanceAtTime('nobody', baseMs), {
      kind: 'unknown_account',
    });
  });

  void it('given a version, when read, then its posting; above the current one, how far it is', async () => {
    const readModels = createReadModels(env.pool);
    assert.deepEqual(await readModels.loadBalanceAtVersion('deep', 1501), {
      kind: 'found',
      balance: {
        accountId: 'deep',
        currency: 'USD',
        balanceText: '1125750',
        availableText: '1125750',
        version: 1501,
      },
    });
    assert.deepEqual(await readModels.loadBalanceAtVersion('other', postings + 1), {
      kind: 'found',
      balance: {
        accountId: 'other',
        currency: 'USD',
        balanceText: String(-(postings * (postings + 1)) / 2),
        availableText: String(-(postings * (postings + 1)) / 2),
        version: postings + 1,
      },
    });
    assert.deepEqual(await readModels.loadBalanceAtVersion('deep', postings + 2), {
      kind: 'ahead',
      currentVersion: postings + 1,
    });
    assert.deepEqual(await readModels.loadBalanceAtVersion('nobody', 1), {
      kind: 'unknown_account',
    });
  });
});
