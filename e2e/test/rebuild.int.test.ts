import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { Producer } from 'kafkajs';
import type { RunningProcessor } from '@ledger/ledger-processor/wiring';
import { unpublishedOutboxCount } from '@ledger/ledger-processor/outboxPosition';
import { createTestProducer, decidedCount, ledgerViolations } from '@ledger/testing/ledgerWorkload';
import { randomWorkload } from '@ledger/testing/randomWorkload';
import { readProjectorConfig } from '@ledger/projector/config';
import {
  rebuildReadModels,
  type RebuildProgress,
  type RebuildReport,
} from '@ledger/projector/rebuild/rebuildReadModels';
import { liveTables, rebuildTables } from '@ledger/projector/readModelTables';
import { tryClaimRebuild } from '@ledger/projector/rebuildGate';
import type { RunningProjector } from '@ledger/projector/wiring';
import { waitForBalancesTopicToMatchLedger } from '@ledger/testing/balancesTopic';
import { testLogger } from '@ledger/testing/testServices';
import {
  runWorkload,
  startTestProcessor,
  startTestProjector,
  waitForReadModelsToMatchLedger,
} from './projectorStack.ts';
import { readModelMismatches, readModelRows } from './readModelCheck.ts';

const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);
const accounts = 40;
const transfers = 2_000;
/** Commands per send while the workload flows; the pace keeps the processors busy throughout. */
const produceChunk = 100;
const paced = { chunk: produceChunk, paceMs: 20, timeoutMs: 180_000 };
const repoRoot = new URL('../../', import.meta.url).pathname;

void describe(`rebuilding the read models from the event log (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor;
  let projector: RunningProjector;
  let producer: Producer;

  before(async () => {
    env = await createLedgerTestEnvironment('rebuild');
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

  void it('given a concurrent random workload projected live, when the log is replayed into fresh tables by the CLI, then they equal the live read models row by row', async () => {
    const workload = randomWorkload({ seed, accounts, transfers });
    await runWorkload(env, producer, workload, paced);
    await waitForReadModelsToMatchLedger(env.pool);
    assert.deepEqual(await ledgerViolations(env.pool), []);

    const output = await runRebuildCli(env.env({ LEDGER_LOG_LEVEL: 'warn' }), ['--no-swap']);
    assert.match(output, /partitions done 4\/4/);
    assert.match(output, /done in .* into account_view_rebuild/);

    const live = await readModelRows(env.pool, liveTables);
    const rebuilt = await readModelRows(env.pool, rebuildTables);
    assert.equal(live.accounts.length, workload.opens.length);
    assert.equal(live.transfers.length, workload.distinctTransferIds);
    assert.ok(live.history.length > 0);
    assert.equal(rebuilt.accounts.length, live.accounts.length);
    assert.equal(rebuilt.history.length, live.history.length);
    assert.equal(rebuilt.transfers.length, live.transfers.length);
    for (const kind of ['accounts', 'history', 'transfers'] as const) {
      live[kind].forEach((row, index) => assert.deepEqual(rebuilt[kind][index], row, kind));
    }
    assert.deepEqual(await readModelMismatches(env.pool, rebuildTables), []);
  });

  void it('given the projector running and commands flowing, when a rebuild swaps its tables in, then readers never see a smaller model and everything converges to the ledger', async () => {
    const counts = async () => {
      const result = await env.pool.query<{ accounts: string; transfers: string }>(
        `select (select count(*) from account_view) as accounts,
                (select count(*) from transfer_view) as transfers`,
      );
      const row = result.rows[0];
      return { accounts: Number(row?.accounts), transfers: Number(row?.transfers) };
    };
    let reading = true;
    const shrinks: string[] = [];
    const reader = (async () => {
      let seen = await counts();
      while (reading) {
        const now = await counts();
        if (now.accounts < seen.accounts || now.transfers < seen.transfers) {
          shrinks.push(`${JSON.stringify(seen)} -> ${JSON.stringify(now)}`);
        }
        seen = now;
      }
    })();
    const progress: RebuildProgress[] = [];
    const baseline = await decidedCount(env.pool);
    const flowing = runWorkload(
      env,
      producer,
      randomWorkload({ seed: seed + 1, accounts, transfers }),
      paced,
    );
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= baseline + 2 * produceChunk,
      'the workload flowing',
    );
    // As the query API reads: a named statement, planned once per connection before the swap.
    const probe = {
      name: 'rebuild_probe',
      text: `select balance::text as balance, version from account_view where account_id = $1`,
      values: ['funding'],
    };
    const prepared = await env.pool.connect();
    let report: RebuildReport;
    try {
      await prepared.query(probe);
      report = await rebuildReadModels({
        config: readProjectorConfig(env.env()),
        logger: testLogger,
        swap: true,
        onProgress: (line) => progress.push(line),
        // Catch up with the live projector however small the gap, to exercise that path too.
        limits: { swapGapEventsMax: 0n },
      });
      const decidedAtSwap = await decidedCount(env.pool);
      await flowing;
      console.log(
        `rebuild: ${report.events} events in ${report.durationMs} ms; decided at swap ` +
          `${decidedAtSwap}, after ${await decidedCount(env.pool)}; ` +
          `phases ${[...new Set(progress.map((line) => line.phase))].join(',')}`,
      );
      assert.equal((await prepared.query(probe)).rowCount, 1, 'a prepared read survives the swap');
    } finally {
      reading = false;
      prepared.release();
      await reader;
    }
    assert.equal(report.swapped, true);
    assert.deepEqual(shrinks, [], 'a reader saw the model shrink');
    assert.ok(progress.some((line) => line.partitionsDone === line.partitions));
    await waitForReadModelsToMatchLedger(env.pool);
    await waitForBalancesTopicToMatchLedger(env, env.pool, 120_000);
    const tables = await env.pool.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = $1 and tablename like '%rebuild%'`,
      [env.pgSchema],
    );
    assert.deepEqual(tables.rows, [], 'no rebuild table is left behind');
    const indexes = await env.pool.query<{ indexname: string }>(
      `select indexname from pg_indexes
        where schemaname = $1 and tablename = any($2) order by indexname`,
      [env.pgSchema, Object.values(liveTables)],
    );
    assert.deepEqual(
      indexes.rows.map((row) => row.indexname),
      ['account_history_pkey', 'account_view_pkey', 'transfer_view_pkey'],
      'the swapped tables carry the migrations index names',
    );
  });

  void it('given the live projector stopped while events kept coming, when a rebuild swaps in tables ahead of it, then it resumes past them', async () => {
    await projector.stop();
    await runWorkload(
      env,
      producer,
      randomWorkload({ seed: seed + 2, accounts, transfers: 500 }),
      paced,
    );
    await waitUntil(
      async () => (await unpublishedOutboxCount(env.pool)) === 0,
      'every event published',
    );
    const report = await rebuildReadModels({
      config: readProjectorConfig(env.env()),
      logger: testLogger,
      swap: true,
    });
    const stored = await env.pool.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from projector_offsets order by partition`,
    );
    assert.deepEqual(
      stored.rows.map((row) => [row.partition, BigInt(row.next_offset)]),
      [...report.offsets].sort(([a], [b]) => a - b),
      'the live group resumes where the rebuild stopped',
    );
    assert.deepEqual(await readModelMismatches(env.pool), [], 'the swapped-in model is complete');

    projector = await startTestProjector(env);
    // The changelog never depended on the projector: the processor published it meanwhile.
    await waitForBalancesTopicToMatchLedger(env, env.pool);
    const metrics = await (await fetch(`http://127.0.0.1:${projector.port}/metrics`)).text();
    assert.match(metrics, /ledger_projector_skipped_batches_total\{[^}]*\} [1-9]/);
    assert.deepEqual(await readModelMismatches(env.pool), []);
  });

  void it('given a rebuild already running on the schema, when a second one starts, then it is refused', async () => {
    const holder = await env.pool.connect();
    try {
      assert.equal(await tryClaimRebuild(holder), true);
      await assert.rejects(
        rebuildReadModels({
          config: readProjectorConfig(env.env()),
          logger: testLogger,
          swap: true,
        }),
        /already running/,
      );
    } finally {
      holder.release(true);
    }
  });
});

/** Runs the rebuild command as an operator would; resolves to its stdout. */
function runRebuildCli(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'projector/src/cli/rebuildCli.ts', ...args],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`rebuild exited ${code}: ${stdout}\n${stderr.slice(-2000)}`));
    });
  });
}
