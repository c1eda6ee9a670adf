import { createLedgerProducer } from '@ledger/runtime';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { Producer } from 'kafkajs';
import { WebSocket } from 'ws';
import type { RunningQueryApi } from '../src/wiring.ts';
import { getBalance } from '@ledger/testing/queryApiClient';
import { balanceAt, changesConsumed, processorStandIn, startInstance } from './intSupport.ts';

/**
 * The query API against the real Kafka, schema registry and Postgres (the test's own topics,
 * subjects and schema, migrated with the real migrations). The processor is played by the test:
 * its `accounts` row committed, then BalanceChanged into the balances topic.
 */
void describe('query API against the real stack', () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  let ledger: ReturnType<typeof processorStandIn>;
  let instance: RunningQueryApi;

  before(async () => {
    env = await createLedgerTestEnvironment('query-api');
    producer = createLedgerProducer(env.kafka);
    await producer.connect();
    ledger = processorStandIn(env, producer);
    instance = await startInstance(env, 'solo');
  });

  after(async () => {
    await instance?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  /** 40 changes of accounts nobody reads: history a new instance must not replay. */
  const publishHistory = (prefix: string) =>
    ledger.publish(
      Array.from({ length: 40 }, (_, index) => ({
        accountId: `${prefix}-${index}`,
        version: 2,
        balance: balanceAt(2),
      })),
    );

  /** The instance serves v2 of the account as a hit, and its feed consumed that change alone. */
  async function expectOnlyLaterChange(instance: RunningQueryApi, accountId: string) {
    await waitUntil(
      async () => (await getBalance(instance, accountId)).body.version === 2,
      `${accountId} at v2`,
      30_000,
    );
    assert.equal((await getBalance(instance, accountId)).cache, 'hit');
    assert.equal(await changesConsumed(instance), 1, 'only the change published after the start');
  }

  void it('given a cached account, when the processor commits and publishes new versions, then the cache converges and serves them as hits', async () => {
    await ledger.openAccount('alice');
    const first = await getBalance(instance, 'alice');
    assert.deepEqual([first.status, first.cache, first.body.version], [200, 'miss', 1]);

    for (let version = 2; version <= 5; version += 1) {
      await ledger.commit('alice', version, balanceAt(version));
      await ledger.publish([{ accountId: 'alice', version, balance: balanceAt(version) }]);
    }
    await waitUntil(
      async () => (await getBalance(instance, 'alice')).body.version === 5,
      'alice at v5',
      20_000,
    );
    const converged = await getBalance(instance, 'alice');
    assert.equal(converged.cache, 'hit');
    assert.equal(converged.body.balance, balanceAt(5).toString());
  });

  void it('given changes for an account nobody read yet, when it is first read, then it loads the ledger row (the feed kept nothing)', async () => {
    await ledger.openAccount('bob');
    await ledger.commit('bob', 3, balanceAt(3));
    await ledger.publish([
      { accountId: 'bob', version: 2, balance: balanceAt(2) },
      { accountId: 'bob', version: 3, balance: balanceAt(3) },
    ]);
    const answer = await getBalance(instance, 'bob');
    assert.deepEqual([answer.cache, answer.body.version], ['miss', 3]);
  });

  void it("given the projector's account view behind the ledger and the change already skipped, when the account is first read, then it answers the ledger's version", async () => {
    await ledger.openAccount('lagged');
    await ledger.commit('lagged', 2, balanceAt(2));
    // The projector has only the opening so far: its view lags the processor's publication.
    await env.pool.query(
      `insert into account_view (account_id, currency, overdraft_limit, status, balance, version,
                                 metadata, created_at, updated_at)
       values ('lagged', 'USD', 0, 'open', 0, 1, '{}', now(), now())`,
    );
    const consumedBefore = await changesConsumed(instance);
    await ledger.publish([{ accountId: 'lagged', version: 2, balance: balanceAt(2) }]);
    await waitUntil(
      async () => (await changesConsumed(instance)) > consumedBefore,
      'the change to pass the instance, skipped: nobody here wanted lagged yet',
    );

    const answer = await getBalance(instance, 'lagged');

    assert.deepEqual([answer.cache, answer.body.version], ['miss', 2]);
    assert.equal(answer.body.balance, balanceAt(2).toString());
  });

  void it('given a changelog with history, when a new instance starts, then it consumes none of it and still applies every later change', async () => {
    await publishHistory('past');
    await ledger.openAccount('dora');
    const late = await startInstance(env, 'late');
    try {
      const first = await getBalance(late, 'dora');
      assert.deepEqual([first.cache, first.body.version], ['miss', 1]);

      await ledger.commit('dora', 2, balanceAt(2));
      await ledger.publish([{ accountId: 'dora', version: 2, balance: balanceAt(2) }]);
      await expectOnlyLaterChange(late, 'dora');
    } finally {
      await late.stop();
    }
  });

  void it('given a running instance, when its group rebalances, then the feed resumes where it was: no history replayed, no change missed', async () => {
    await publishHistory('older');
    await ledger.openAccount('fern');
    const watched = await startInstance(env, 'rebalanced');
    // A second member of the instance's own group takes some of its partitions, then leaves:
    // two rebalances, as a consumer restart after a failed join would cause.
    const intruder = env.kafka.consumer({ groupId: watched.groupId });
    try {
      assert.equal((await getBalance(watched, 'fern')).body.version, 1);
      let intruderJoined = false;
      intruder.on(intruder.events.GROUP_JOIN, () => {
        intruderJoined = true;
      });
      await intruder.connect();
      await intruder.subscribe({ topic: env.topics.balances, fromBeginning: true });
      await intruder.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async () => {},
      });
      await waitUntil(() => Promise.resolve(intruderJoined), 'the intruder joined', 30_000);

      await ledger.commit('fern', 2, balanceAt(2));
      await ledger.publish([{ accountId: 'fern', version: 2, balance: balanceAt(2) }]);
      await intruder.disconnect();

      await expectOnlyLaterChange(watched, 'fern');
    } finally {
      await intruder.disconnect();
      await watched.stop();
    }
  });

  void it('given minVersion ahead of the cache, when the version is committed and published during the wait, then the request answers with it; an unreachable one gets 504', async () => {
    await ledger.openAccount('carol');
    await getBalance(instance, 'carol');
    const waiting = getBalance(instance, 'carol', '?minVersion=3&waitMs=10000');
    await ledger.commit('carol', 3, balanceAt(3));
    await ledger.publish([
      { accountId: 'carol', version: 2, balance: balanceAt(2) },
      { accountId: 'carol', version: 3, balance: balanceAt(3) },
    ]);
    const answer = await waiting;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.version, 3);
    assert.equal(answer.body.balance, balanceAt(3).toString());

    const timedOut = await getBalance(instance, 'carol', '?minVersion=99&waitMs=300');
    assert.equal(timedOut.status, 504);
    assert.equal(timedOut.body.code, 'consistency_timeout');
  });

  void it('given history and transfers in the read model, when read, then pages come newest first from Postgres and transfers by id', async () => {
    await ledger.openAccount('dave', balanceAt(4), 4);
    for (let version = 2; version <= 4; version += 1) {
      await env.pool.query(
        `insert into account_history (account_id, version, transfer_id, direction, amount,
                                      balance_after, counterparty_account_id, posted_at)
         values ('dave', $1, $2, 'credit', 9223372036854775807, $3, 'fund', now())`,
        [version, `t-${version}`, balanceAt(version).toString()],
      );
    }
    await env.pool.query(
      `insert into transfer_view (transfer_id, status, from_account_id, to_account_id, amount,
                                  currency, code, posted_at, decided_at)
       values ('t-4', 'posted', 'fund', 'dave', 9223372036854775807, 'USD', null, now(), now()),
              ('t-x', 'rejected', 'dave', 'fund', 5, 'USD', 'insufficient_funds', null, now())`,
    );
    const base = `http://127.0.0.1:${instance.port}`;
    const page1 = (await (await fetch(`${base}/v1/accounts/dave/transactions?limit=2`)).json()) as {
      items: { version: number; amount: string; balanceAfter: string }[];
      nextCursor: string;
    };
    assert.deepEqual(
      page1.items.map((item) => item.version),
      [4, 3],
    );
    assert.equal(page1.items[0]?.amount, '9223372036854775807');
    assert.equal(page1.items[0]?.balanceAfter, balanceAt(4).toString());
    const page2 = (await (
      await fetch(`${base}/v1/accounts/dave/transactions?limit=2&cursor=${page1.nextCursor}`)
    ).json()) as { items: { version: number }[]; nextCursor: unknown };
    assert.deepEqual(
      page2.items.map((item) => item.version),
      [2],
    );
    assert.equal(page2.nextCursor, null);

    const posted = (await (await fetch(`${base}/v1/transfers/t-4`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(posted.amount, '9223372036854775807');
    assert.equal(posted.status, 'posted');
    assert.equal(typeof posted.postedAt, 'string');
    const rejected = (await (await fetch(`${base}/v1/transfers/t-x`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(rejected.code, 'insufficient_funds');
    assert.equal((await fetch(`${base}/v1/transfers/t-none`)).status, 404);

    const whole = (await (await fetch(`${base}/v1/accounts/dave`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(whole.metadata, { tier: 'test' });
    assert.equal(whole.overdraftLimit, '0');
  });

  void it('given a WebSocket subscribed during a burst of versions, when the burst goes on, then it receives every later version once, in order', async () => {
    await ledger.openAccount('erin');
    const lastVersion = 300;
    const burst = async (from: number, to: number, perSend: number) => {
      await ledger.commit('erin', to, balanceAt(to));
      for (let start = from; start <= to; start += perSend) {
        const versions = Array.from(
          { length: Math.min(perSend, to - start + 1) },
          (_, i) => start + i,
        );
        await ledger.publish(
          versions.map((version) => ({ accountId: 'erin', version, balance: balanceAt(version) })),
        );
      }
    };
    await burst(2, 50, 10);

    const ws = new WebSocket(`ws://127.0.0.1:${instance.port}/v1/stream`);
    const frames: { type: string; version?: number; balance?: string }[] = [];
    ws.on('message', (data: Buffer) =>
      frames.push(JSON.parse(data.toString()) as (typeof frames)[number]),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ subscribe: ['erin'] }));
    await waitUntil(
      () => frames.some((frame) => frame.type === 'subscribed'),
      'the subscription ack',
    );

    await burst(51, lastVersion, 25);
    await waitUntil(
      () => frames.some((frame) => frame.type === 'balance' && frame.version === lastVersion),
      `erin v${lastVersion} on the socket`,
      20_000,
    );
    ws.close();

    const versions = frames
      .filter((frame) => frame.type === 'balance')
      .map((frame) => frame.version ?? 0);
    for (let index = 1; index < versions.length; index += 1) {
      assert.ok(
        (versions[index] ?? 0) > (versions[index - 1] ?? 0),
        `in order: ${versions.join(',')}`,
      );
    }
    const received = new Set(versions);
    for (let version = 51; version <= lastVersion; version += 1) {
      assert.ok(received.has(version), `v${version} pushed after the subscription`);
    }
    const last = frames.find((frame) => frame.version === lastVersion);
    assert.equal(last?.balance, balanceAt(lastVersion).toString());
  });
});
