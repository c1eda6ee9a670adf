import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import { WebSocket } from 'ws';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { createTestProducer, decidedCount, produceCommands } from '@ledger/testing/ledgerWorkload';
import { randomWorkload } from '@ledger/testing/randomWorkload';
import { readProjectorConfig } from '@ledger/projector/config';
import { startProjector, type RunningProjector } from '@ledger/projector/wiring';
import type { RunningQueryApi } from '@ledger/query-api/wiring';
import { getBalance } from '@ledger/testing/queryApiClient';
import { startInstance } from './queryApiInstance.ts';

/**
 * The whole read path, in-process against the real stack: the real ledger processor decides a
 * seeded random workload, the real projector writes the read models and publishes every balance
 * version, three query-api instances (each its own consumer group) serve it. All through the burst
 * a poller reads the hot accounts from every instance (invariant 6, docs/architecture.md: an
 * instance never serves a lower version after a higher one) and a WebSocket client follows the
 * hottest account (docs/contract.md: every version, in order). Once writes stop, every instance
 * serves exactly the ledger's balance and version of every account.
 */
const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);
const accounts = 50;
const transfers = 2_000;
/** Commands per produce request. */
const produceChunk = 50;
/** randomWorkload's Zipf ranks: acct-0 is the hottest sender and receiver. */
const hotAccounts = ['acct-0', 'acct-1', 'acct-2', 'funding'];
const streamedAccount = 'acct-0';
const convergeTimeoutMs = 60_000;

interface BalanceFrame {
  readonly type: 'balance';
  readonly accountId: string;
  readonly balance: string;
  readonly version: number;
}

void describe(`read path: processor, projector and three query-api instances (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  let processor: RunningProcessor;
  let projector: RunningProjector;
  const instances: RunningQueryApi[] = [];
  const logger = createLogger({
    level: 'warn',
    write: (line) => process.stderr.write(line + '\n'),
  });

  before(async () => {
    env = await createLedgerTestEnvironment('read-path');
    producer = await createTestProducer(env.kafka);
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
    projector = await startProjector(readProjectorConfig(env.env()), logger, {
      port: 0,
      onFatal: (error) => assert.fail(`projector fatal: ${String(error)}`),
    });
    for (const name of ['rp-one', 'rp-two', 'rp-three']) {
      instances.push(await startInstance(env, name));
    }
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await projector?.stop();
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  /** Every account's balance and version in the ledger itself (the processor's tables). */
  async function ledger(): Promise<Map<string, { balance: string; version: number }>> {
    const { rows } = await env.pool.query<{ id: string; balance: string; version: string }>(
      'select id, balance::text as balance, version from accounts order by id',
    );
    return new Map(
      rows.map((row) => [row.id, { balance: row.balance, version: Number(row.version) }]),
    );
  }

  /** The balance after each version of `accountIds`, from the postings (version 1: 0). */
  async function balancesByVersion(accountIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await env.pool.query<{ account_id: string; version: string; after: string }>(
      `select account_id, version, balance_after::text as after from postings
        where account_id = any($1)
       union all select id, 1, '0' from accounts where id = any($1)`,
      [accountIds],
    );
    return new Map(rows.map((row) => [`${row.account_id}@${row.version}`, row.after]));
  }

  /** Ledger accounts on which `instance` does not serve the ledger's balance and version. */
  async function differences(instance: RunningQueryApi): Promise<string[]> {
    const expected = await ledger();
    const answers = await Promise.all(
      [...expected.keys()].map((accountId) => getBalance(instance, accountId)),
    );
    return answers.flatMap((answer, index) => {
      const accountId = [...expected.keys()][index] ?? '';
      const want = expected.get(accountId);
      return answer.status === 200 &&
        answer.body.version === want?.version &&
        answer.body.balance === want.balance
        ? []
        : [`${accountId}: served ${answer.status} v${answer.body.version} ${answer.body.balance}`];
    });
  }

  void it('given a random burst, when hot accounts are polled on every instance and one is streamed, then no instance goes back, the stream gets every version in order, and all converge to the ledger', async (t) => {
    const workload = randomWorkload({ seed, accounts, transfers });
    const total = workload.opens.length + workload.transfers.length;
    await produceCommands(producer, env.serde, env.topics.commands, workload.opens);
    const opened = workload.opens.map((command) =>
      command.payload.type === 'OpenAccount' ? command.payload.accountId : '',
    );
    // Every instance serves every opened account before the burst: the read path is up.
    await waitUntil(
      async () => {
        const answers = await Promise.all(
          instances.flatMap((instance) => opened.map((id) => getBalance(instance, id))),
        );
        return answers.every((answer) => answer.status === 200);
      },
      'every instance serving every opened account',
      convergeTimeoutMs,
    );

    // The stream client subscribes before the burst, on the second instance.
    const streamed: BalanceFrame[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${instances[1]?.port ?? 0}/v1/stream`);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'balance') streamed.push(frame as BalanceFrame);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const wsClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.send(JSON.stringify({ subscribe: [streamedAccount] }));
    await waitUntil(() => streamed.length > 0, 'the stream snapshot');

    // The poller: hot accounts from all three instances, as fast as they answer, all burst long.
    const highestServed = new Map<string, number>(); // `${instance}/${account}` -> version
    const served: { accountId: string; version: number; balance: string }[] = [];
    const regressions: string[] = [];
    let polls = 0;
    let bursting = true;
    const poller = (async () => {
      while (bursting) {
        await Promise.all(
          instances.flatMap((instance, index) =>
            hotAccounts.map(async (accountId) => {
              const answer = await getBalance(instance, accountId);
              assert.equal(answer.status, 200);
              const key = `${index}/${accountId}`;
              const before = highestServed.get(key) ?? 0;
              if (answer.body.version < before) {
                regressions.push(`${key} served v${answer.body.version} after v${before}`);
              }
              highestServed.set(key, Math.max(before, answer.body.version));
              served.push({
                accountId,
                version: answer.body.version,
                balance: answer.body.balance,
              });
            }),
          ),
        );
        polls += 1;
      }
    })();

    // The burst: chunks produced back to back (each acknowledged by all replicas before the
    // next), so the processor and projector see large, interleaved batches.
    const burstStarted = Date.now();
    for (let start = 0; start < workload.transfers.length; start += produceChunk) {
      await produceCommands(
        producer,
        env.serde,
        env.topics.commands,
        workload.transfers.slice(start, start + produceChunk),
      );
    }
    const producedInMs = Date.now() - burstStarted;
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= total,
      `all ${total} commands decided`,
      convergeTimeoutMs,
    );

    // Writes have stopped: every instance converges to the ledger on every account.
    for (const [index, instance] of instances.entries()) {
      let last: string[] = [];
      await waitUntil(
        async () => (last = await differences(instance)).length === 0,
        `instance ${index} to serve the ledger`,
        convergeTimeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; differences: ${last.slice(0, 10).join('; ')}`);
      });
    }
    const finalLedger = await ledger();
    const finalVersion = finalLedger.get(streamedAccount)?.version ?? 0;
    await waitUntil(
      () => streamed.at(-1)?.version === finalVersion,
      `the stream to reach ${streamedAccount} v${finalVersion}`,
      convergeTimeoutMs,
    );
    bursting = false;
    await poller;
    ws.close();
    await wsClosed;

    t.diagnostic(
      `${total} commands produced in ${producedInMs} ms; ${polls} poll rounds of ` +
        `${instances.length * hotAccounts.length} reads; ${streamed.length} stream frames`,
    );
    assert.deepEqual(regressions, [], 'no instance served a lower version after a higher one');
    assert.ok(polls > 3, `polled during the burst (${polls} rounds)`);

    // The stream: from its first frame to the final version, every version once, each +1.
    const versions = streamed.map((frame) => frame.version);
    const first = versions[0] ?? 0;
    assert.deepEqual(
      versions,
      Array.from({ length: finalVersion - first + 1 }, (_, index) => first + index),
      'every version of the streamed account, in order',
    );
    assert.ok(streamed.every((frame) => frame.accountId === streamedAccount));
    assert.ok(finalVersion - first > 50, `the streamed account moved during the burst`);

    // What was served and streamed is each version's true balance, not just the right number.
    const truth = await balancesByVersion(hotAccounts);
    const wrong = [
      ...served.map((answer) => ({ ...answer, how: 'served' })),
      ...streamed.map((frame) => ({ ...frame, how: 'streamed' })),
    ].filter((seen) => truth.get(`${seen.accountId}@${seen.version}`) !== seen.balance);
    assert.deepEqual(
      wrong.slice(0, 10).map((seen) => `${seen.how} ${seen.accountId}@${seen.version}`),
      [],
      'balances as the ledger posted them',
    );
    const metrics = await (
      await fetch(`http://127.0.0.1:${instances[1]?.port ?? 0}/metrics`)
    ).text();
    assert.doesNotMatch(
      metrics,
      /query_api_stream_gaps_total\{[^}]*\} [1-9]/,
      'no gap given up on without a crash',
    );
  });
});
