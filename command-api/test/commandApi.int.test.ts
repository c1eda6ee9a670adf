import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisClient, topicNames } from '@ledger/runtime';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { Redis } from 'ioredis';
import { isValidTraceparent } from '../src/http/traceContext.ts';
import { redisKeys } from '../src/redis/redisKeys.ts';
import { startCommandApi, type RunningCommandApi } from '../src/wiring.ts';
import { request } from '@ledger/testing/httpClient';
import { waitForMetric } from '@ledger/testing/metricWait';
import { setUpEnvironment, TopicCollector, type IntegrationEnvironment } from './intSupport.ts';

// Against the real Kafka, schema registry, Postgres and Redis (readStackConfig's addresses), each
// run with its own topic prefix, Postgres schema and Redis keys.
const transfer = (overrides: Record<string, unknown> = {}) => ({
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: '1000',
  currency: 'USD',
  ...overrides,
});

void describe('command API against the real stack', () => {
  let environment: IntegrationEnvironment;
  let api: RunningCommandApi;
  let collector: TopicCollector;
  let redis: Redis;
  let baseUrl: string;
  let partitions: PartitionMetadata[];

  before(async () => {
    environment = await setUpEnvironment();
    api = await startCommandApi(environment.config(), environment.logger, 0);
    baseUrl = `http://127.0.0.1:${api.port}`;
    collector = await TopicCollector.start(
      environment.kafka,
      topicNames(environment.prefix).commands,
    );
    redis = createRedisClient(environment.config().stack.redisUrl, environment.logger, 'cmdapi-it');
    await redis.connect();
    const admin = environment.kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({
      topics: [topicNames(environment.prefix).commands],
    });
    await admin.disconnect();
    partitions = metadata.topics[0]?.partitions ?? [];
  });

  after(async () => {
    await api.stop();
    await collector.stop();
    redis.disconnect();
    await environment.teardown();
  });

  const commandIdsOnKafka = async () => {
    const ids: string[] = [];
    for (const { message } of collector.messages) {
      if (message.value !== null)
        ids.push((await environment.serde.decodeCommand(message.value)).commandId);
    }
    return ids;
  };

  /** Decoded command ids on the topic, once `commandId` is among them (ordered per partition). */
  const waitForCommand = async (commandId: string): Promise<string[]> => {
    for (;;) {
      const count = collector.messages.length;
      const ids = await commandIdsOnKafka();
      if (ids.includes(commandId)) return ids;
      // Bounded: waitFor throws after conditionTimeoutMs without a new message.
      await collector.waitFor((messages) => messages.length > count, `command ${commandId}`);
    }
  };

  void it('given a transfer, when posted, then it lands on its account partition with key and headers', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await request(baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: 'it-t-1', metadata: { note: 'rent' } }),
      headers: { 'x-request-id': 'it-req-1', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.equal(response.status, 202, response.text);
    const commandId = String(response.body.commandId);
    await collector.waitFor((messages) => messages.length >= 1, 'the transfer on Kafka');
    const [first] = collector.messages;
    assert.ok(first?.message.value);
    assert.equal(first.message.key?.toString(), 'alice');
    const expectedPartition = Partitioners.DefaultPartitioner()({
      topic: topicNames(environment.prefix).commands,
      partitionMetadata: partitions,
      message: { key: 'alice', value: null },
    });
    assert.equal(first.partition, expectedPartition);
    const headers = Object.fromEntries(
      Object.entries(first.message.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    assert.equal(headers['command-type'], 'Transfer');
    assert.equal(headers['request-id'], 'it-req-1');
    assert.ok(isValidTraceparent(headers.traceparent ?? ''));
    assert.ok(headers.traceparent?.startsWith(`00-${traceId}-`));
    const command = await environment.serde.decodeCommand(first.message.value);
    assert.equal(command.commandId, commandId);
    assert.equal(command.idempotencyKey, 'it-t-1');
    assert.equal(command.traceparent, headers.traceparent);
    assert.deepEqual(command.payload, {
      type: 'Transfer',
      transferId: 'it-t-1',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: 1000n,
      currency: 'USD',
      metadata: { note: 'rent' },
    });
  });

  void it('given every kind of bad input, when posted, then nothing but the good sentinel reaches Kafka', async () => {
    const before = collector.messages.length;
    const bad: Parameters<typeof request>[3][] = [
      { rawBody: JSON.stringify(transfer()), headers: { 'content-type': 'text/plain' } },
      { rawBody: '{"amount":', headers: { 'content-type': 'application/json' } },
      { body: transfer({ metadata: { note: 'x'.repeat(70_000) } }) },
      { body: transfer({ amount: 1000 }) },
      { body: transfer({ amount: '0' }) },
      { body: transfer({ amount: '-1' }) },
      { body: transfer({ amount: '1.5' }) },
      { body: transfer({ amount: '1e3' }) },
      { body: transfer({ amount: '+1' }) },
      { body: transfer({ amount: '01' }) },
      { body: transfer({ amount: '92233720368547758070' }) },
      { body: transfer({ fromAccountId: '-x' }) },
      { body: transfer({ toAccountId: 'alice' }) },
      { body: transfer({ currency: 'usd' }) },
      { body: transfer({ extra: true }) },
      { body: transfer({ metadata: { 'bad key': 'v' } }) },
    ];
    for (const options of bad) {
      const response = await request(baseUrl, 'POST', '/v1/transfers', options);
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${response.status} ${response.text}`,
      );
    }
    const batch = await request(baseUrl, 'POST', '/v1/transfers/batch', {
      body: { transfers: [transfer({ amount: '0' }), transfer({ currency: 'XXX' })] },
    });
    assert.equal(batch.status, 202);
    const sentinel = await request(baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: 'it-sentinel' }),
    });
    assert.equal(sentinel.status, 202);
    const ids = await waitForCommand(String(sentinel.body.commandId));
    assert.deepEqual(ids.slice(before), [sentinel.body.commandId]);
  });

  void it('given the same transfer twice and then another body, when posted, then one message, a replay and a 409', async () => {
    const body = transfer({ transferId: 'it-replay' });
    const first = await request(baseUrl, 'POST', '/v1/transfers', { body });
    const replay = await request(baseUrl, 'POST', '/v1/transfers', { body });
    const conflict = await request(baseUrl, 'POST', '/v1/transfers', {
      body: { ...body, amount: '2' },
    });
    assert.equal(replay.status, 202);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.commandId, first.body.commandId);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.code, 'idempotency_conflict');
    const status = await request(baseUrl, 'GET', `/v1/commands/${String(first.body.commandId)}`);
    assert.deepEqual(status.body, { commandId: first.body.commandId, status: 'accepted' });
    const sentinel = await request(baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: 'it-replay-end' }),
    });
    const sentinelId = String(sentinel.body.commandId);
    const onKafka = await waitForCommand(sentinelId);
    assert.equal(onKafka.filter((id) => id === first.body.commandId).length, 1);
  });

  void it('given Prefer: wait, when the processor pushes the outcome over Redis, then 201 with versions and balances', async () => {
    const keys = redisKeys(environment.prefix);
    const seen = collector.messages.length;
    const pending = request(baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: 'it-wait' }),
      headers: { prefer: 'wait=10' },
    });
    await collector.waitFor((messages) => messages.length > seen, 'the waited transfer on Kafka');
    const value = collector.messages.at(-1)?.message.value;
    assert.ok(value);
    const { commandId } = await environment.serde.decodeCommand(value);
    // The wait registers only after Kafka's ack and the idempotency confirm: a notice published
    // before that is (by design) found only under its key, which this test leaves unset.
    await waitForMetric(api.registry, /command_api_waited_commands\{service="command-api"\} 1/);
    await redis.publish(
      keys.outcomeChannel,
      JSON.stringify([
        { commandId: 'someone-else', status: 'rejected', code: 'insufficient_funds' },
        {
          commandId,
          status: 'applied',
          versions: { alice: 7, bob: 3 },
          balances: { alice: '-1000', bob: '1000' },
        },
      ]),
    );
    const response = await pending;
    assert.equal(response.status, 201, response.text);
    assert.equal(response.headers.get('preference-applied'), 'wait=10');
    assert.deepEqual(response.body.versions, { alice: 7, bob: 3 });
    assert.deepEqual(response.body.balances, { alice: '-1000', bob: '1000' });
  });

  void it('given an outcome stored only under its key, when a replay waits, then it answers from the key', async () => {
    const keys = redisKeys(environment.prefix);
    const body = transfer({ transferId: 'it-key-outcome', amount: '999999' });
    const first = await request(baseUrl, 'POST', '/v1/transfers', { body });
    const commandId = String(first.body.commandId);
    await redis.set(
      keys.outcome(commandId),
      JSON.stringify({ commandId, status: 'rejected', code: 'insufficient_funds' }),
      'EX',
      60,
    );
    const replay = await request(baseUrl, 'POST', '/v1/transfers', {
      body,
      headers: { prefer: 'wait=5' },
    });
    assert.equal(replay.status, 422);
    assert.equal(replay.body.code, 'insufficient_funds');
    assert.equal(replay.body.commandId, commandId);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  });

  void it('given the readiness and metrics routes, when called, then Kafka and Postgres are ready', async () => {
    const ready = await request(baseUrl, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.body.checks, { kafka: 'ok', postgres: 'ok' });
    const metrics = await request(baseUrl, 'GET', '/metrics');
    assert.match(
      metrics.text,
      /command_api_producer_batch_messages_count\{service="command-api"\} \d+/,
    );
    assert.match(metrics.text, /command_api_redis_up\{service="command-api"\} 1/);
  });
});
