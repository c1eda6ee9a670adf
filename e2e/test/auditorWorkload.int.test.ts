import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import {
  createTestProducer,
  decidedCount,
  ledgerViolations,
  produceCommands,
} from '@ledger/testing/ledgerWorkload';
import { randomWorkload } from '@ledger/testing/randomWorkload';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { unpublishedOutboxCount } from '@ledger/ledger-processor/outboxPosition';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { defaultAuditLimits } from '@ledger/auditor/auditLimits';
import { runAudit } from '@ledger/auditor/auditRun';
import type { Producer } from 'kafkajs';
import { auditedBooks, ledgerBooks, ledgerTotals } from './ledgerTotals.ts';

const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);

// The auditor over the events of the seeded random workload the crash test uses (transfers,
// retries, reversals, holds posted, voided and expired, account changes), decided by the real
// processor: what it proves from the log alone must be what Postgres holds.
void describe(`auditor over the random workload's events (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor | undefined;
  let producer: Producer | undefined;

  before(async () => {
    env = await createLedgerTestEnvironment('auditor_workload');
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
    producer = await createTestProducer(env.kafka);
  });

  after(async () => {
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  void it('given the workload decided, when its events are audited, then the audit passes with the totals, books and statuses Postgres holds', async () => {
    assert.ok(producer);
    const workload = randomWorkload({
      seed,
      accounts: 20,
      transfers: 1_500,
      holds: true,
      lifecycle: true,
    });
    await produceCommands(producer, env.serde, env.topics.commands, workload.opens);
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= workload.opens.length,
      'accounts opened',
    );
    await produceCommands(producer, env.serde, env.topics.commands, workload.transfers);
    const total = workload.opens.length + workload.transfers.length;
    await waitUntil(async () => (await decidedCount(env.pool)) >= total, 'every command decided');
    // Holds with a timeout expire through the sweep; then everything decided is published.
    await waitUntil(async () => {
      const due = await env.pool.query<{ n: string }>('select count(*) as n from pending_expiries');
      return Number(due.rows[0]?.n) === 0;
    }, 'every timed hold settled or expired');
    await waitUntil(async () => (await unpublishedOutboxCount(env.pool)) === 0, 'outbox drained');
    assert.deepEqual(await ledgerViolations(env.pool), []);

    const result = await runAudit({
      kafka: env.kafka,
      serde: env.serde,
      topic: env.topics.events,
      limits: defaultAuditLimits,
      follow: false,
    });
    assert.ok(
      result.outcome === 'passed',
      JSON.stringify(result.outcome === 'violation' ? result.violation : result.outcome),
    );
    const { totals } = result.summary;
    const ledger = await ledgerTotals(env.pool);
    assert.deepEqual(totals.postedByCurrency, ledger.postedByCurrency);
    assert.deepEqual(totals.pendingByCurrency, ledger.pendingByCurrency);
    const accounts = await ledgerBooks(env.pool);
    assert.equal(totals.accountsOpened, accounts.length);
    assert.deepEqual(auditedBooks(result.state.accounts), accounts);
    assert.deepEqual(totals.accountsByStatus, ledger.accountsByStatus);
    assert.deepEqual(totals.accountChanges, ledger.accountChanges);
    const rows = async <R extends object>(sql: string) => (await env.pool.query<R>(sql)).rows;
    // The workload reached posts, voids and changes (whether a timed hold is left to expire
    // depends on the seed; auditor.int.test.ts expires one for sure).
    const settled = await rows<{ action: string }>(
      'select distinct action from pending_settlements order by action',
    );
    assert.ok(['post', 'void'].every((action) => settled.some((r) => r.action === action)));
    assert.ok(totals.accountChanges.freeze > 0 && totals.accountChanges.close > 0);
    assert.ok((totals.eventsByType.TransferPosted ?? 0) > 0);
  });
});
