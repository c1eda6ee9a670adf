import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { createKafkaClient, createLogger, readStackConfig } from '@ledger/runtime';
import { kafkaDistribution } from '../src/distribution/kafkaDistribution.ts';
import { waitUntil } from '../src/supervisor/waitFor.ts';

// Proves kafkajs 2.2.4 still works against the Kafka version the stack runs (see
// kafkaDistribution.version): produce, consume in a group, and a consume-transform-produce
// transaction whose consumed offsets are committed with sendOffsets. Needs the stack up.

const waitMs = 30_000;
const config = readStackConfig();
const suffix = randomUUID().slice(0, 8);
const topics: string[] = [];
const groupIds: string[] = [];
const consumers: Consumer[] = [];
const producers: Producer[] = [];
let kafka: Kafka;
let admin: Admin;

/** A fresh topic of 3 partitions, deleted after the suite. */
async function newTopic(name: string): Promise<string> {
  const topic = `infra-test.${name}.${suffix}`;
  topics.push(topic);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
  });
  return topic;
}

function newGroupId(name: string): string {
  const groupId = `infra-test.${name}.${suffix}`;
  groupIds.push(groupId);
  return groupId;
}

async function newConsumer(groupId: string, readUncommitted = false): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    readUncommitted,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  consumers.push(consumer);
  await consumer.connect();
  return consumer;
}

async function newProducer(transactionalId?: string): Promise<Producer> {
  const producer = kafka.producer(
    transactionalId === undefined
      ? { idempotent: true }
      : { idempotent: true, transactionalId, maxInFlightRequests: 1 },
  );
  producers.push(producer);
  await producer.connect();
  return producer;
}

/** Reads `count` committed values of a topic from the start with a throwaway group. */
async function readValues(topic: string, count: number): Promise<string[]> {
  const consumer = await newConsumer(newGroupId(`reader-${randomUUID().slice(0, 8)}`));
  const values: string[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      values.push(message.value?.toString() ?? '');
      return Promise.resolve();
    },
  });
  const outcome = await waitUntil(() => Promise.resolve(values.length >= count), {
    timeoutMs: waitMs,
  });
  await consumer.disconnect();
  assert.equal(outcome.kind, 'ok', `read ${values.length} of ${count} values from ${topic}`);
  return values;
}

void describe(`kafkajs 2.2.4 against Kafka ${kafkaDistribution.version}`, () => {
  before(async () => {
    kafka = createKafkaClient({
      clientId: `infra-test-${suffix}`,
      brokers: config.kafkaBrokers,
      // kafkajs logs the broker's retriable CONCURRENT_TRANSACTIONS answers (a transaction that
      // starts while the previous commit's markers are written) at error level; it retries
      // them itself, and the assertions below decide whether the client works.
      logger: createLogger({ level: 'error', write: () => undefined }),
    });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    for (const producer of producers) await producer.disconnect().catch(() => undefined);
    await admin.deleteGroups(groupIds).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  void it('given a topic, when an idempotent producer sends keyed messages, then a group consumer receives all of them in per-key order', async () => {
    const inputTopic = await newTopic('produce');
    const producer = await newProducer();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `account-${i % 3}`,
      value: `m${i}`,
    }));
    await producer.send({ topic: inputTopic, acks: -1, messages: sent });

    const values = await readValues(inputTopic, sent.length);

    assert.deepEqual([...values].sort(), sent.map((m) => m.value).sort());
    for (const key of ['account-0', 'account-1', 'account-2']) {
      const expected = sent.filter((m) => m.key === key).map((m) => m.value);
      assert.deepEqual(
        values.filter((v) => expected.includes(v)),
        expected,
        `order of ${key}`,
      );
    }
  });

  void it('given consumed input, when a transaction produces output and sends the offsets, then the output is committed and the group offsets advanced', async () => {
    const inputTopic = await newTopic('tx-in');
    const outputTopic = await newTopic('tx-out');
    const inputCount = 20;
    const input = await newProducer();
    await input.send({
      topic: inputTopic,
      acks: -1,
      messages: Array.from({ length: inputCount }, (_, i) => ({
        key: `k${i % 4}`,
        value: `m${i}`,
      })),
    });
    const groupId = newGroupId('transform');
    const producer = await newProducer(`infra-test-tx-${suffix}`);
    const consumer = await newConsumer(groupId);
    let transformed = 0;
    await consumer.subscribe({ topic: inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const transaction = await producer.transaction();
        try {
          await transaction.send({
            topic: outputTopic,
            messages: [{ key: message.key, value: `out-${message.value?.toString() ?? ''}` }],
          });
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              { topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] },
            ],
          });
          await transaction.commit();
          transformed += 1;
        } catch (error) {
          await transaction.abort();
          throw error;
        }
      },
    });
    const outcome = await waitUntil(() => Promise.resolve(transformed >= inputCount), {
      timeoutMs: waitMs,
    });
    await consumer.disconnect();
    assert.equal(outcome.kind, 'ok', `transformed ${transformed} of ${inputCount}`);

    const output = await readValues(outputTopic, inputCount);
    assert.equal(output.length, inputCount);
    assert.ok(output.every((value) => value.startsWith('out-m')));
    const committed = await admin.fetchOffsets({ groupId, topics: [inputTopic] });
    const endOffsets = await admin.fetchTopicOffsets(inputTopic);
    for (const { partition, offset } of committed[0]?.partitions ?? []) {
      const end = endOffsets.find((candidate) => candidate.partition === partition);
      assert.equal(offset, end?.high, `committed offset of partition ${partition}`);
    }
  });

  void it('given a transaction that is aborted, when a read-committed consumer reads, then it never sees the aborted message', async () => {
    const outputTopic = await newTopic('abort');
    const producer = await newProducer(`infra-test-abort-${suffix}`);
    const aborted = await producer.transaction();
    await aborted.send({ topic: outputTopic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({
      topic: outputTopic,
      messages: [{ key: 'k', value: 'committed-marker' }],
    });
    await committed.commit();

    const values = await readValues(outputTopic, 1);

    assert.deepEqual(values, ['committed-marker']);
    assert.ok(!values.includes('aborted'));
  });
});
