import { waitUntil, type LedgerTestEnvironment } from '@ledger/testing';
import { testLogger, testServiceOptions } from '@ledger/testing/testServices';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { decidedCount, produceCommands } from '@ledger/testing/ledgerWorkload';
import type { Workload } from '@ledger/testing/randomWorkload';
import { readProjectorConfig } from '@ledger/projector/config';
import { startProjector, type RunningProjector } from '@ledger/projector/wiring';
import { readModelMismatches } from './readModelCheck.ts';

/** What the projector's cross-service tests share: the services as main.ts assembles them. */

/** A projector of the test's topics and schema, on a free ops port. */
export function startTestProjector(env: LedgerTestEnvironment): Promise<RunningProjector> {
  return startProjector(
    readProjectorConfig(env.env()),
    testLogger,
    testServiceOptions('projector'),
  );
}

export function startTestProcessor(env: LedgerTestEnvironment): Promise<RunningProcessor> {
  return startLedgerProcessor(
    readProcessorConfig(env.env()),
    testLogger,
    testServiceOptions('processor'),
  );
}

/**
 * Opens the workload's accounts, then sends its transfers `chunk` commands at a time (`paceMs`
 * apart, to keep the services busy throughout) and waits until the processor decided them all.
 */
export async function runWorkload(
  env: LedgerTestEnvironment,
  producer: Producer,
  workload: Workload,
  options: { readonly chunk: number; readonly paceMs: number; readonly timeoutMs: number },
): Promise<void> {
  const before = await decidedCount(env.pool);
  await produceCommands(producer, env.serde, env.topics.commands, workload.opens);
  await waitUntil(
    async () => (await decidedCount(env.pool)) >= before + workload.opens.length,
    'accounts opened',
  );
  for (let start = 0; start < workload.transfers.length; start += options.chunk) {
    await produceCommands(
      producer,
      env.serde,
      env.topics.commands,
      workload.transfers.slice(start, start + options.chunk),
    );
    if (options.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, options.paceMs));
  }
  const total = before + workload.opens.length + workload.transfers.length;
  await waitUntil(
    async () => (await decidedCount(env.pool)) >= total,
    `${total} decided`,
    options.timeoutMs,
  );
}

/** Waits until the read models equal the ledger; a timeout names the last differences. */
export async function waitForReadModelsToMatchLedger(pool: pg.Pool): Promise<void> {
  let last: string[] = [];
  await waitUntil(
    async () => (last = await readModelMismatches(pool)).length === 0,
    'the read models to match the ledger',
    120_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; differences: ${last.join('; ')}`);
  });
}
