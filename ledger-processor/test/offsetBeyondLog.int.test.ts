import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  testTopicPartitions,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { AssertionFailure, createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import { readProcessorConfig } from '../src/config.ts';
import { startLedgerProcessor, type RunningProcessor } from '../src/wiring.ts';
import {
  command,
  createTestProducer,
  decidedCount,
  openAccount,
  produceCommands,
} from '@ledger/testing/ledgerWorkload';

describe('ledger processor whose stored offsets lie past the log', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor | undefined;
  let producer: Producer;

  before(async () => {
    env = await createLedgerTestEnvironment('offset-beyond-log');
    producer = await createTestProducer(env.kafka);
  });

  after(async () => {
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  it('given offsets recorded for a longer log than the topic holds (topic recreated), when commands arrive, then the processor stops with what to do and applies nothing', async () => {
    const config = readProcessorConfig(env.env());
    for (let partition = 0; partition < testTopicPartitions; partition += 1) {
      await env.pool.query(
        `insert into consumer_offsets (consumer_group, topic, partition, next_offset, generation, owner)
         values ($1, $2, $3, 1000, 0, 'an earlier log')`,
        [config.processor.consumerGroup, env.topics.commands, partition],
      );
    }
    await produceCommands(producer, env.serde, env.topics.commands, [
      command(openAccount('alice')),
    ]);

    const fatal: unknown[] = [];
    processor = await startLedgerProcessor(
      config,
      createLogger({ level: 'error', write: () => undefined }),
      { port: 0, onFatal: (error) => fatal.push(error) },
    );

    await waitUntil(() => fatal.length > 0, 'the processor to stop');
    const [error] = fatal;
    assert.ok(error instanceof AssertionFailure, `not an assertion: ${String(error)}`);
    assert.match(error.message, /consumed up to offset 1000, but that partition ends at 1/);
    assert.match(error.message, /LEDGER_PG_URL/);
    assert.equal(await decidedCount(env.pool), 0);
  });
});
