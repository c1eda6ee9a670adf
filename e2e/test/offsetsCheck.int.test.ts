import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failureLine, StackFailure } from '@ledger/infra';
import { assertOffsetsWithinTopics } from '@ledger/infra/stack/offsetsCheck';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/testing';

describe('stack check of the stored offsets against the topics', () => {
  let env: LedgerTestEnvironment;

  before(async () => {
    env = await createLedgerTestEnvironment('offsets check');
  });

  after(async () => {
    await env?.teardown();
  });

  const check = () =>
    assertOffsetsWithinTopics(env.kafka, env.stack.postgresUrl, env.topics, env.pgSchema);

  it('given offsets within the topics, when the stack checks them, then it passes', async () => {
    await env.pool.query(
      `insert into projector_offsets (consumer_group, topic, partition, next_offset)
       values ('g', $1, 0, 0)`,
      [env.topics.events],
    );

    await check();
  });

  it('given a database that consumed past an empty topic (another Kafka wrote it), when the stack checks it, then one line names the database, the partition and what to do', async () => {
    await env.pool.query(
      `insert into consumer_offsets (consumer_group, topic, partition, next_offset, generation, owner)
       values ('g', $1, 2, 51234, 0, 'elsewhere')`,
      [env.topics.commands],
    );

    await assert.rejects(check(), (error: unknown) => {
      assert.ok(error instanceof StackFailure);
      const line = failureLine(error);
      assert.match(line, /^postgres: database \w+ consumed further than this Kafka's topics reach/);
      assert.match(line, new RegExp(`${env.topics.commands}\\[2\\] at 51234, its end is 0`));
      assert.match(line, /LEDGER_PG_DATABASE=ledger_2 LEDGER_TOPIC_PREFIX=ledger2/);
      return true;
    });
  });
});
