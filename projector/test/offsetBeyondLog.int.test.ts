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
import { createTestProducer } from '@ledger/testing/ledgerWorkload';
import { readProjectorConfig } from '../src/config.ts';
import { startProjector, type RunningProjector } from '../src/wiring.ts';
import { opened } from './eventFixtures.ts';

describe('projector whose stored offsets lie past the log', () => {
  let env: LedgerTestEnvironment;
  let projector: RunningProjector | undefined;
  let producer: Producer;

  before(async () => {
    env = await createLedgerTestEnvironment('projector offset beyond log');
    producer = await createTestProducer(env.kafka);
  });

  after(async () => {
    await projector?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  it('given offsets recorded for a longer event log than the topic holds, when events arrive, then the projector stops with what to do and projects nothing', async () => {
    const config = readProjectorConfig(env.env());
    for (let partition = 0; partition < testTopicPartitions; partition += 1) {
      await env.pool.query(
        `insert into projector_offsets (consumer_group, topic, partition, next_offset)
         values ($1, $2, $3, 1000)`,
        [config.projector.consumerGroup, env.topics.events, partition],
      );
    }
    await producer.send({
      topic: env.topics.events,
      acks: -1,
      messages: [{ key: 'alice', value: env.serde.encodeEvent(opened('alice', Date.now())) }],
    });

    const fatal: unknown[] = [];
    projector = await startProjector(
      config,
      createLogger({ level: 'error', write: () => undefined }),
      {
        port: 0,
        onFatal: (error) => fatal.push(error),
      },
    );

    await waitUntil(() => fatal.length > 0, 'the projector to stop');
    const [error] = fatal;
    assert.ok(error instanceof AssertionFailure, `not an assertion: ${String(error)}`);
    assert.match(error.message, /projector_offsets says .* consumed up to offset 1000/);
    const views = await env.pool.query(`select 1 from account_view`);
    assert.equal(views.rowCount, 0);
  });
});
