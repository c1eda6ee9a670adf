import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { Producer } from 'kafkajs';
import type { RunningProcessor } from '@ledger/ledger-processor/wiring';
import {
  command,
  createTestProducer,
  decidedCount,
  ledgerViolations,
  openAccount,
  produceCommands,
  transfer,
} from '@ledger/testing/ledgerWorkload';
import { randomWorkload } from '@ledger/testing/randomWorkload';
import type { RunningProjector } from '@ledger/projector/wiring';
import {
  versionsMissingFromChangelog,
  waitForBalancesTopicToMatchLedger,
} from '@ledger/testing/balancesTopic';
import {
  runWorkload,
  startTestProcessor,
  startTestProjector,
  waitForReadModelsToMatchLedger,
} from './projectorStack.ts';

const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);

void describe(`projector behind the real ledger processor (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor;
  let projector: RunningProjector;
  let producer: Producer;

  before(async () => {
    env = await createLedgerTestEnvironment('projector');
    producer = await createTestProducer(env.kafka);
    processor = await startTestProcessor(env);
    projector = await startTestProjector(env);
  });

  after(async () => {
    await projector?.stop();
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  void it('given accounts, a posted transfer and a rejected one, when the processor decides them, then the read models show exactly the ledger', async () => {
    const commands = [
      command(openAccount('fund', 1_000_000n)),
      command(openAccount('alice')),
      command(openAccount('bob')),
    ];
    await produceCommands(producer, env.serde, env.topics.commands, commands);
    await waitUntil(async () => (await decidedCount(env.pool)) >= 3, 'accounts opened');
    // Different from-accounts land in different partitions: funding first, then the rest.
    await produceCommands(producer, env.serde, env.topics.commands, [
      command(transfer('t-fund-alice', 'fund', 'alice', 5_000n)),
    ]);
    await waitUntil(async () => (await decidedCount(env.pool)) >= 4, 'funding decided');
    await produceCommands(producer, env.serde, env.topics.commands, [
      command(transfer('t-alice-bob', 'alice', 'bob', 1_200n)),
      command(transfer('t-overdraw', 'bob', 'alice', 999_999n)),
    ]);
    await waitUntil(async () => (await decidedCount(env.pool)) >= 6, 'transfers decided');
    await waitForReadModelsToMatchLedger(env.pool);

    const accounts = await env.pool.query<{ account_id: string; balance: string; version: string }>(
      `select account_id, balance::text as balance, version from account_view order by account_id`,
    );
    assert.deepEqual(
      accounts.rows.map((row) => [row.account_id, row.balance, row.version]),
      [
        ['alice', '3800', '3'],
        ['bob', '1200', '2'],
        ['fund', '-5000', '2'],
      ],
    );
    const history = await env.pool.query<Record<string, string>>(
      `select version, transfer_id, direction, amount, balance_after::text as balance_after,
              counterparty_account_id
         from account_history where account_id = 'alice' order by version desc`,
    );
    assert.deepEqual(history.rows, [
      {
        version: '3',
        transfer_id: 't-alice-bob',
        direction: 'debit',
        amount: '1200',
        balance_after: '3800',
        counterparty_account_id: 'bob',
      },
      {
        version: '2',
        transfer_id: 't-fund-alice',
        direction: 'credit',
        amount: '5000',
        balance_after: '5000',
        counterparty_account_id: 'fund',
      },
    ]);
    const rejected = await env.pool.query<{ status: string; code: string; posted_at: Date | null }>(
      `select status, code, posted_at from transfer_view where transfer_id = 't-overdraw'`,
    );
    assert.deepEqual(rejected.rows, [
      { status: 'rejected', code: 'insufficient_funds', posted_at: null },
    ]);
    const { last } = await waitForBalancesTopicToMatchLedger(env, env.pool);
    assert.deepEqual(last.get('alice'), { balance: '3800', version: 3 });
  });

  void it('given a seeded random workload with client retries, rejections and account changes, when it is decided, then read models equal the ledger, and the balances changelog the processor publishes carries every version', async () => {
    const workload = randomWorkload({ seed, accounts: 30, transfers: 1_500, lifecycle: true });
    await runWorkload(env, producer, workload, { chunk: 100, paceMs: 0, timeoutMs: 120_000 });
    await waitForReadModelsToMatchLedger(env.pool);
    assert.deepEqual(await ledgerViolations(env.pool), []);
    const { versions } = await waitForBalancesTopicToMatchLedger(env, env.pool);
    // Every version of every account is on the changelog (a stream client is promised each one),
    // with the balance the ledger's posting gave it; not only each account's newest.
    assert.deepEqual(
      await versionsMissingFromChangelog(env.pool, versions),
      [],
      'versions not published with their balance',
    );
  });

  void it('given the projector has worked, when its ops routes are asked, then it is healthy, ready and reports its metrics', async () => {
    const base = `http://127.0.0.1:${projector.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'ledger_projector_events_applied_total{type="TransferPosted"',
      'ledger_projector_batches_total',
      'ledger_projector_lag_seconds_bucket',
    ]) {
      assert.ok(metrics.includes(name), `metrics lack ${name}`);
    }
  });
});
