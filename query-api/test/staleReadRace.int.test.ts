import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLedgerProducer } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import type { RunningQueryApi } from '../src/wiring.ts';
import { getBalance } from '@ledger/testing/queryApiClient';
import { balanceAt, changesConsumed, processorStandIn, startInstance } from './intSupport.ts';

/**
 * The race the read path closes (docs/architecture.md), forced on the real Postgres and Kafka: a
 * cache miss whose database read is held up (another session locks the accounts table) while a
 * newer change arrives from the feed. The slow read returns the older row; the cache must serve and
 * keep the newer version, never the stale one.
 */
describe('query API: an invalidation that overtakes a slow read', () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  let instance: RunningQueryApi;

  before(async () => {
    env = await createLedgerTestEnvironment('stale_race');
    producer = createLedgerProducer(env.kafka);
    await producer.connect();
    instance = await startInstance(env, 'race');
  });

  after(async () => {
    await instance?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  it('given a miss whose database read is blocked, when a newer change arrives before the read returns, then the newer version is served and cached, never the stale row', async () => {
    const ledger = processorStandIn(env, producer);
    await ledger.openAccount('racer');
    await ledger.commit('racer', 3, balanceAt(3));

    const blocker = new pg.Client({
      connectionString: env.stack.postgresUrl,
      options: `-c search_path=${env.pgSchema}`,
    });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table accounts in access exclusive mode');
      const reading = getBalance(instance, 'racer');
      await waitUntil(async () => {
        // From another session: inside its transaction the blocker sees a frozen snapshot of
        // pg_stat_activity.
        const waiting = await env.pool.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity
            where pid <> pg_backend_pid() and wait_event_type = 'Lock' and query ilike '%from accounts%'`,
        );
        return Number(waiting.rows[0]?.n) > 0;
      }, 'the cache miss to block on the locked accounts table');

      const consumedBefore = await changesConsumed(instance);
      await ledger.publish([{ accountId: 'racer', version: 4, balance: balanceAt(4) }]);
      await waitUntil(
        async () => (await changesConsumed(instance)) > consumedBefore,
        'the change to reach the instance while its read is blocked',
      );
      await blocker.query('rollback');

      const answer = await reading;
      assert.equal(answer.status, 200);
      assert.equal(answer.body.version, 4, 'the newer change wins over the slow read');
      assert.equal(answer.body.balance, balanceAt(4).toString());
    } finally {
      await blocker.end();
    }
    const again = await getBalance(instance, 'racer');
    assert.deepEqual(
      [again.cache, again.body.version],
      ['hit', 4],
      'the stale row was never cached',
    );
    const row = await env.pool.query<{ version: string }>(
      `select version from accounts where id = 'racer'`,
    );
    assert.equal(row.rows[0]?.version, '3', 'the database still held the older row');
  });
});
