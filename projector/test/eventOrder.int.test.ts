import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { LedgerEvent } from '@ledger/schemas';
import type { Producer } from 'kafkajs';
import { createTestProducer } from '@ledger/testing/ledgerWorkload';
import type { RunningProjector } from '../src/wiring.ts';
import { leg, opened, posted, rejected } from './eventFixtures.ts';
import { startTestProjector } from './projectorStack.ts';

/**
 * The projector alone, fed events written straight to the event log, so the test decides the
 * order the projector sees: a credit before its account's opening (another partition), a
 * republished duplicate, a restart. (The balances changelog is the processor's.)
 */
void describe('projector against out-of-order and duplicated events', () => {
  let env: LedgerTestEnvironment;
  let projector: RunningProjector;
  let producer: Producer;
  const t0 = Date.now();
  const start = () => startTestProjector(env);

  before(async () => {
    env = await createLedgerTestEnvironment('projector order');
    producer = await createTestProducer(env.kafka);
    projector = await start();
  });

  after(async () => {
    await projector?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  /** Writes events as the processor's relay does: keyed by the account decided for. */
  async function publish(...events: LedgerEvent[]): Promise<void> {
    await producer.send({
      topic: env.topics.events,
      acks: -1,
      messages: events.map((event) => ({
        key: 'accountId' in event.payload ? event.payload.accountId : event.payload.fromAccountId,
        value: env.serde.encodeEvent(event),
      })),
    });
  }

  async function account(accountId: string) {
    const result = await env.pool.query<{
      balance: string;
      version: string;
      created_at: Date | null;
      status: string | null;
    }>(
      `select balance::text as balance, version, created_at, status from account_view
        where account_id = $1`,
      [accountId],
    );
    return result.rows[0];
  }

  const t1 = posted('t-1', 'fund', 'alice', 700n, leg(-700n, 2), leg(700n, 2), t0 + 2);
  const t2 = posted('t-2', 'fund', 'alice', 300n, leg(-1000n, 3), leg(1000n, 3), t0 + 3);
  const aliceOpened = opened('alice', t0 + 1);

  void it('given credits projected before the account opening, when the opening arrives later, then it fills in the details without moving the balance back', async () => {
    await publish(opened('fund', t0, 10n ** 9n), t1, t2, t1);
    await waitUntil(async () => (await account('alice'))?.version === '3', 'alice at version 3');
    const early = await account('alice');
    assert.equal(early?.balance, '1000');
    assert.equal(early?.created_at, null, 'no opening seen yet');

    await publish(aliceOpened, aliceOpened);
    await waitUntil(async () => (await account('alice'))?.created_at != null, 'alice opened');
    const later = await account('alice');
    assert.equal(later?.balance, '1000');
    assert.equal(later?.version, '3');
    assert.equal(later?.status, 'open');
    assert.equal(later?.created_at?.getTime(), t0 + 1);
    const history = await env.pool.query<{ version: string; transfer_id: string }>(
      `select version, transfer_id from account_history where account_id = 'alice' order by version`,
    );
    assert.deepEqual(
      history.rows.map((row) => [row.version, row.transfer_id]),
      [
        ['2', 't-1'],
        ['3', 't-2'],
      ],
      'the republished t-1 added nothing',
    );
  });

  void it('given a rejection, when projected, then the transfer reads rejected with its code and no balance changes', async () => {
    await publish(rejected('t-3', 'alice', 'bob', 5_000n, 'insufficient_funds', t0 + 4));
    await waitUntil(
      async () =>
        (await env.pool.query(`select 1 from transfer_view where transfer_id = 't-3'`)).rowCount ===
        1,
      't-3 projected',
    );
    const row = await env.pool.query(
      `select status, code, posted_at from transfer_view where transfer_id = 't-3'`,
    );
    assert.deepEqual(row.rows, [
      { status: 'rejected', code: 'insufficient_funds', posted_at: null },
    ]);
    assert.equal((await account('alice'))?.version, '3');
  });

  void it('given a restart, when more events come, then it resumes from its stored offsets and applies each once', async () => {
    await projector.stop();
    await publish(posted('t-4', 'fund', 'alice', 1n, leg(-1001n, 4), leg(1001n, 4), t0 + 5));
    projector = await start();
    await waitUntil(async () => (await account('alice'))?.version === '4', 'alice at version 4');
    const history = await env.pool.query(
      `select 1 from account_history where account_id = 'alice'`,
    );
    assert.equal(history.rowCount, 3);
    const admin = env.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(env.topics.events).finally(() => admin.disconnect());
    const stored = await env.pool.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from projector_offsets`,
    );
    for (const row of stored.rows) {
      assert.equal(row.next_offset, ends.find((end) => end.partition === row.partition)?.high);
    }
  });
});
