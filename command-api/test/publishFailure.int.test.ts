import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitUntil } from '@ledger/testing';
import { createRedisClient, topicNames } from '@ledger/runtime';
import type { LedgerCommand } from '@ledger/schemas';
import type { Redis } from 'ioredis';
// kafkajs is CommonJS: Node's named-export detection misses ConfigResourceTypes.
import kafkajs from 'kafkajs';
import { redisKeys, type RedisKeys } from '../src/redis/redisKeys.ts';
import { startCommandApi } from '../src/wiring.ts';
import { request, type HttpResult } from '@ledger/testing/httpClient';
import { conditionTimeoutMs } from '@ledger/testing/metricWait';
import { setUpEnvironment, TopicCollector } from './intSupport.ts';

// A publish that fails for real: the broker refuses every record batch of a commands topic created
// with a max.message.bytes smaller than any batch (MESSAGE_TOO_LARGE, not retriable), as it refused
// the bench's oversized coalesced batches. The invariant under test (docs/contract.md): a command
// is answered 2xx only once Kafka holds it, and a failed attempt leaves its key free so the
// client's retry is a new attempt rather than a replay of nothing.

/** Smaller than the smallest record batch (61 header bytes + a record). */
const refusingMaxMessageBytes = '64';
/** The broker's default, so the same topic accepts again. */
const acceptingMaxMessageBytes = '1048588';

interface RefusingLog {
  readonly baseUrl: string;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  post(path: string, body: unknown): Promise<HttpResult>;
  /** Lets the broker accept records on the commands topic again. */
  acceptAgain(): Promise<void>;
  /** A client retrying on 503 (docs/contract.md: retriable) until the answer is something else. */
  postUntilAnswered(path: string, body: unknown): Promise<HttpResult>;
  /** The decoded commands on the topic, once every id in `commandIds` is among them. */
  waitForCommands(commandIds: readonly string[]): Promise<LedgerCommand[]>;
  stop(): Promise<void>;
}

async function startOnRefusingLog(): Promise<RefusingLog> {
  const environment = await setUpEnvironment({
    commandTopicConfigs: [{ name: 'max.message.bytes', value: refusingMaxMessageBytes }],
  });
  const topic = topicNames(environment.prefix).commands;
  const api = await startCommandApi(environment.config(), environment.logger, 0);
  const collector = await TopicCollector.start(environment.kafka, topic);
  const redis = createRedisClient(environment.config().stack.redisUrl, environment.logger, 'it');
  await redis.connect();
  const baseUrl = `http://127.0.0.1:${api.port}`;
  const post = (path: string, body: unknown) => request(baseUrl, 'POST', path, { body });
  const decoded = () =>
    Promise.all(
      collector.messages.flatMap(({ message }) =>
        message.value === null ? [] : [environment.serde.decodeCommand(message.value)],
      ),
    );
  return {
    baseUrl,
    redis,
    keys: redisKeys(environment.prefix),
    post,
    async acceptAgain() {
      const admin = environment.kafka.admin();
      await admin.connect();
      try {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: kafkajs.ConfigResourceTypes.TOPIC,
              name: topic,
              configEntries: [{ name: 'max.message.bytes', value: acceptingMaxMessageBytes }],
            },
          ],
        });
      } finally {
        await admin.disconnect();
      }
    },
    async postUntilAnswered(path, body) {
      let answer: HttpResult | undefined;
      await waitUntil(
        async () => {
          answer = await post(path, body);
          return answer.status !== 503;
        },
        `an answer other than 503 to POST ${path}`,
        conditionTimeoutMs,
        100,
      );
      if (answer === undefined) throw new Error('waitUntil returned before any answer');
      return answer;
    },
    async waitForCommands(commandIds) {
      for (;;) {
        const count = collector.messages.length;
        const commands = await decoded();
        const onKafka = new Set(commands.map((command) => command.commandId));
        if (commandIds.every((id) => onKafka.has(id))) return commands;
        // Bounded: fails after conditionTimeoutMs without a new message.
        await collector.waitFor((messages) => messages.length > count, `${commandIds.join()}`);
      }
    },
    async stop() {
      await api.stop();
      await collector.stop();
      redis.disconnect();
      await environment.teardown();
    },
  };
}

const transfer = (transferId: string) => ({
  transferId,
  fromAccountId: 'funding',
  toAccountId: `to-${transferId}`,
  amount: '1000',
  currency: 'USD',
});

const keysOnKafka = (commands: readonly LedgerCommand[], key: string) =>
  commands.filter((command) => command.idempotencyKey === key).length;

void describe('command API when Kafka refuses the publish', () => {
  void it('given the log refuses, when a transfer fails and is retried after the log accepts again, then the retry is a new attempt whose command is on Kafka', async () => {
    const log = await startOnRefusingLog();
    try {
      const body = transfer('single-1');
      const failed = await log.post('/v1/transfers', body);
      assert.equal(failed.status, 503, failed.text);
      assert.equal(failed.body.code, 'overloaded');
      assert.equal(
        await log.redis.exists(log.keys.idempotency('transfer', 'single-1')),
        0,
        'the failed attempt released its idempotency claim',
      );
      const failedAgain = await log.post('/v1/transfers', body);
      assert.equal(failedAgain.status, 503, failedAgain.text);
      assert.equal(failedAgain.headers.get('idempotent-replayed'), null, 'not a replay');

      await log.acceptAgain();
      const retried = await log.postUntilAnswered('/v1/transfers', body);
      assert.equal(retried.status, 202, retried.text);
      assert.equal(retried.headers.get('idempotent-replayed'), null, 'a new attempt');
      const commandId = String(retried.body.commandId);
      const commands = await log.waitForCommands([commandId]);
      assert.equal(keysOnKafka(commands, 'single-1'), 1);

      const replay = await log.post('/v1/transfers', body);
      assert.equal(replay.status, 202, replay.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.commandId, commandId);
    } finally {
      await log.stop();
    }
  });

  void it('given the log refuses, when a batch fails and is retried after the log accepts again, then every item is accepted anew and on Kafka', async () => {
    const log = await startOnRefusingLog();
    try {
      const transferIds = ['batch-1', 'batch-2', 'batch-3'];
      const body = { transfers: transferIds.map(transfer) };
      const failed = await log.post('/v1/transfers/batch', body);
      assert.equal(failed.status, 503, failed.text);
      for (const transferId of transferIds) {
        assert.equal(
          await log.redis.exists(log.keys.idempotency('transfer', transferId)),
          0,
          `${transferId}: the failed attempt released its idempotency claim`,
        );
      }

      await log.acceptAgain();
      const retried = await log.postUntilAnswered('/v1/transfers/batch', body);
      assert.equal(retried.status, 202, retried.text);
      const items = retried.body.items as { status: string; commandId: string; replayed?: true }[];
      assert.deepEqual(
        items.map((item) => [item.status, item.replayed]),
        transferIds.map(() => ['accepted', undefined]),
        retried.text,
      );
      const commands = await log.waitForCommands(items.map((item) => item.commandId));
      for (const transferId of transferIds) assert.equal(keysOnKafka(commands, transferId), 1);
    } finally {
      await log.stop();
    }
  });

  void it('given identical requests racing, when the log refuses and then accepts, then only commands on Kafka are answered accepted and each key is published once', async () => {
    const log = await startOnRefusingLog();
    const racers = 8;
    const single = transfer('race-single');
    const batch = { transfers: ['race-batch-1', 'race-batch-2'].map(transfer) };
    // Every accepted command id a client was told about, single or batch item.
    const acceptedIds = (results: readonly HttpResult[]) =>
      results.flatMap((result) => {
        if (result.status < 200 || result.status >= 300) return [];
        const items = (result.body.items ?? [result.body]) as Record<string, unknown>[];
        return items.filter((item) => item.status === 'accepted').map((item) => item.commandId);
      });
    const race = () =>
      Promise.all(
        Array.from({ length: racers }, (_, index) =>
          index % 2 === 0
            ? log.post('/v1/transfers', single)
            : log.post('/v1/transfers/batch', batch),
        ),
      );
    try {
      const refused = await race();
      assert.deepEqual(acceptedIds(refused), [], 'nothing is accepted while the log refuses');
      for (const key of ['race-single', 'race-batch-1', 'race-batch-2']) {
        assert.equal(await log.redis.exists(log.keys.idempotency('transfer', key)), 0, key);
      }

      await log.acceptAgain();
      // Once one request gets through, the log accepts: the race that follows is all real.
      await log.postUntilAnswered('/v1/transfers', transfer('race-probe'));
      const answered = await race();
      const ids = acceptedIds(answered);
      assert.ok(ids.length > 0, JSON.stringify(answered.map((result) => result.text)));
      const commands = await log.waitForCommands(ids.map(String));
      for (const key of ['race-single', 'race-batch-1', 'race-batch-2'])
        assert.equal(keysOnKafka(commands, key), 1, `${key} published once`);
    } finally {
      await log.stop();
    }
  });
});
