import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import { readProcessorConfig } from '../src/config.ts';
import { advancePublishedPositionSql, unpublishedOutboxCount } from '../src/outboxPosition.ts';
import { startLedgerProcessor, type RunningProcessor } from '../src/wiring.ts';
import {
  command,
  createTestProducer,
  decidedCount,
  openAccount,
  produceCommands,
} from '@ledger/testing/ledgerWorkload';

/**
 * The outbox's published position against the real Postgres and Kafka: the relay's statement,
 * the drain a processor runs when the group assigns it partitions (no command needed), and the
 * position a committed batch moves.
 */
describe('outbox published position against the real stack', () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  let processor: RunningProcessor | undefined;
  const fatal: unknown[] = [];

  before(async () => {
    env = await createLedgerTestEnvironment('outbox-position');
    producer = await createTestProducer(env.kafka);
  });

  after(async () => {
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  /**
   * Inserts outbox rows as a batch's transaction would, without any relay; returns their ids. The
   * payloads are marker text, not Avro, so the rows say TransferRejected: a type that moves no
   * balance, which the relay never decodes (the balances of drained rows are covered by the kill -9
   * test, whose rows are real events).
   */
  async function insertRows(partition: number, payloads: readonly string[]): Promise<string[]> {
    const result = await env.pool.query<{ id: string }>(
      `insert into outbox (command_partition, topic, partition_key, event_id, event_type, payload)
       select $1::integer, $2::text, 'acct-' || n, $3::text || '-' || n, 'TransferRejected',
              convert_to(payload, 'UTF8')
         from unnest($4::text[]) with ordinality as p (payload, n)
        order by n
       returning id`,
      [partition, env.topics.events, `crash-${partition}`, payloads],
    );
    return result.rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
  }

  async function positions(): Promise<Map<number, string>> {
    const result = await env.pool.query<{ command_partition: number; published_id: string }>(
      'select command_partition, published_id from outbox_positions',
    );
    return new Map(result.rows.map((row) => [row.command_partition, row.published_id]));
  }

  async function advance(partition: number, firstId: string, lastId: string): Promise<boolean> {
    const result = await env.pool.query<{ gap: boolean }>(advancePublishedPositionSql, [
      partition,
      firstId,
      lastId,
    ]);
    return result.rows[0]?.gap ?? false;
  }

  /** Every message of the topic up to its current end: event id → the values published. */
  async function readTopic(topic: string): Promise<Map<string, string[]>> {
    const admin = env.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const total = ends.reduce((sum, end) => sum + Number(end.high) - Number(end.low), 0);
    const values = new Map<string, string[]>();
    let read = 0;
    const consumer = env.kafka.consumer({ groupId: `${env.prefix}.reader.${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const eventId = message.headers?.['event-id']?.toString() ?? '';
        values.set(eventId, [...(values.get(eventId) ?? []), message.value?.toString() ?? '']);
        read += 1;
        return Promise.resolve();
      },
    });
    try {
      await waitUntil(() => read >= total, `${total} messages of ${topic}`);
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  it('given a published position, when the relay moves it, then it only moves forward and never past unpublished rows', async () => {
    const ids = await insertRows(3, ['a', 'b', 'c', 'd']);
    const [a, b, c, d] = ids as [string, string, string, string];

    assert.equal(await advance(3, b, c), true, 'row a lies unpublished before b');
    assert.equal((await positions()).get(3), undefined);
    assert.equal(await advance(3, a, c), false);
    assert.equal(await advance(3, a, b), false, 'a slower relay');
    assert.equal((await positions()).get(3), c);
    assert.equal(await unpublishedOutboxCount(env.pool), 1);
    assert.equal(await advance(3, d, d), false);
    assert.equal((await positions()).get(3), d);
    assert.equal(await unpublishedOutboxCount(env.pool), 0);
  });

  it('given rows past the position that a crash left and no command arriving, when a processor is assigned their partitions, then it republishes exactly those and moves the positions', async () => {
    const partitionOne = await insertRows(1, ['one-a', 'one-b', 'one-c']);
    const partitionTwo = await insertRows(2, ['two-a', 'two-b']);
    // Partition 1 published its first row before the crash.
    await env.pool.query(
      'insert into outbox_positions (command_partition, published_id) values (1, $1)',
      [partitionOne[0]],
    );
    assert.equal(await unpublishedOutboxCount(env.pool), 4);

    processor = await startLedgerProcessor(
      readProcessorConfig(env.env()),
      createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') }),
      { port: 0, onFatal: (error) => fatal.push(error) },
    );

    await waitUntil(
      async () => (await unpublishedOutboxCount(env.pool)) === 0,
      'the rows a crash left published without a new command',
    );
    assert.deepEqual(fatal, []);
    assert.equal(await decidedCount(env.pool), 0, 'no command arrived');
    const published = await readTopic(env.topics.events);
    assert.deepEqual(
      new Map([...published].filter(([eventId]) => eventId.startsWith('crash-'))),
      new Map([
        ['crash-1-2', ['one-b']],
        ['crash-1-3', ['one-c']],
        ['crash-2-1', ['two-a']],
        ['crash-2-2', ['two-b']],
      ]),
      'the rows past the position, byte for byte; the one published before the crash is not',
    );
    const moved = await positions();
    assert.equal(moved.get(1), partitionOne.at(-1));
    assert.equal(moved.get(2), partitionTwo.at(-1));
  });

  it('given a running processor, when a committed batch is published, then its events are on the topic and each position is the last outbox id of its partition', async () => {
    const commands = ['alice', 'bob', 'carol', 'dave', 'erin'].map((id) =>
      command(openAccount(id)),
    );
    await produceCommands(producer, env.serde, env.topics.commands, commands);
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= commands.length,
      'the accounts opened',
    );
    await waitUntil(
      async () => (await unpublishedOutboxCount(env.pool)) === 0,
      'the batch published',
    );

    assert.deepEqual(fatal, []);
    const last = await env.pool.query<{ command_partition: number; last_id: string }>(
      'select command_partition, max(id)::text as last_id from outbox group by command_partition',
    );
    assert.deepEqual(
      await positions(),
      new Map(last.rows.map((row) => [row.command_partition, row.last_id])),
    );
    const eventIds = await env.pool.query<{ event_id: string }>(
      `select event_id from outbox where topic = $1 and event_id not like 'crash-%'`,
      [env.topics.events],
    );
    assert.equal(eventIds.rowCount, commands.length, 'one AccountOpened per command');
    const published = await readTopic(env.topics.events);
    for (const { event_id } of eventIds.rows) assert.ok(published.has(event_id), event_id);
  });
});
