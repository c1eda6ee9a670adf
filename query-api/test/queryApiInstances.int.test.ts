import { createLedgerProducer } from '@ledger/runtime';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { Producer } from 'kafkajs';
import type { RunningQueryApi } from '../src/wiring.ts';
import { seededRandom } from './fixtures.ts';
import { getBalance } from '@ledger/testing/queryApiClient';
import { balanceAt, processorStandIn, startInstance } from './intSupport.ts';

/**
 * Invariant 6 across instances: three query-api instances (in-process, each its own consumer
 * group, port 0) read the same balances topic while a burst of versions is published the way
 * several processor partitions would (out of order within each send, some twice). Each instance
 * is polled all through the burst: none may ever serve a lower version of an account after a
 * higher one, and once the burst stops all three serve exactly the ledger's balances.
 */
const accounts = Array.from({ length: 8 }, (_, index) => `acct-${index}`);
const lastVersion = 120;
const versionsPerRound = 10;

void describe('three query-api instances against the real stack', () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  const instances: RunningQueryApi[] = [];

  before(async () => {
    env = await createLedgerTestEnvironment('query-api-instances');
    producer = createLedgerProducer(env.kafka);
    await producer.connect();
    for (const name of ['one', 'two', 'three']) instances.push(await startInstance(env, name));
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await producer?.disconnect();
    await env?.teardown();
  });

  void it('given three instances serving during a shuffled, duplicated burst, then none ever goes back and all converge to the read model', async (t) => {
    const ledger = processorStandIn(env, producer);
    const random = seededRandom(42);
    // Opened at v1 with the model's v1 balance, so a poll that lands before the burst checks too.
    for (const accountId of accounts) await ledger.openAccount(accountId, balanceAt(1));

    const highestServed = new Map<string, number>(); // `${instance}/${account}` -> version
    const distinctServed = new Set<string>();
    const regressions: string[] = [];
    let polls = 0;
    let bursting = true;
    const pollOnce = async () => {
      await Promise.all(
        instances.flatMap((instance, index) =>
          accounts.map(async (accountId) => {
            const answer = await getBalance(instance, accountId);
            assert.equal(answer.status, 200);
            const key = `${index}/${accountId}`;
            const before = highestServed.get(key) ?? 0;
            if (answer.body.version < before) {
              regressions.push(`${key} served v${answer.body.version} after v${before}`);
            }
            highestServed.set(key, Math.max(before, answer.body.version));
            distinctServed.add(`${key}@${answer.body.version}`);
            assert.equal(answer.body.balance, balanceAt(answer.body.version).toString());
          }),
        ),
      );
      polls += 1;
    };
    const poller = (async () => {
      while (bursting) await pollOnce();
    })();
    const pollsBeforeBurst = polls;

    // Rounds of 10 versions per account: commit the round's top version, then publish the round
    // shuffled, with about one in five messages sent twice.
    for (let top = 1 + versionsPerRound; top <= lastVersion; top += versionsPerRound) {
      const messages: { accountId: string; version: number; balance: bigint }[] = [];
      for (const accountId of accounts) {
        await ledger.commit(accountId, top, balanceAt(top));
        for (let version = top - versionsPerRound + 1; version <= top; version += 1) {
          const message = { accountId, version, balance: balanceAt(version) };
          messages.push(message);
          if (random() < 0.2) messages.push(message);
        }
      }
      for (let index = messages.length - 1; index > 0; index -= 1) {
        const other = Math.floor(random() * (index + 1));
        [messages[index], messages[other]] = [
          messages[other] ?? messages[index],
          messages[index],
        ] as [(typeof messages)[number], (typeof messages)[number]];
      }
      await ledger.publish(messages);
    }
    const finalVersion = 1 + Math.floor((lastVersion - 1) / versionsPerRound) * versionsPerRound;

    await waitUntil(
      async () => {
        await pollOnce();
        return (
          [...highestServed.values()].every((version) => version === finalVersion) &&
          highestServed.size === instances.length * accounts.length
        );
      },
      `all instances at v${finalVersion}`,
      30_000,
    );
    bursting = false;
    await poller;

    assert.deepEqual(regressions, [], 'no instance served a lower version after a higher one');
    t.diagnostic(
      `${polls - pollsBeforeBurst} poll rounds of ${instances.length * accounts.length} reads; ` +
        `${distinctServed.size} distinct (instance, account, version) answers observed`,
    );
    assert.ok(polls > 3, `polled during the burst (${polls} rounds)`);
    const { rows } = await env.pool.query<{ account_id: string; balance: string; version: string }>(
      'select id as account_id, balance::text as balance, version from accounts order by id',
    );
    for (const instance of instances) {
      for (const row of rows) {
        const answer = await getBalance(instance, row.account_id);
        assert.equal(answer.body.version, Number(row.version));
        assert.equal(answer.body.balance, row.balance);
        assert.equal(answer.cache, 'hit', 'converged through the feed, still cached');
      }
    }
  });
});
