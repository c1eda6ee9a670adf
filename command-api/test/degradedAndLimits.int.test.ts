import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  LedgerError,
  createMetricsRegistry,
  createPostgresPool,
  topicNames,
} from '@ledger/runtime';
import { requestHashOf, type Transfer } from '@ledger/schemas';
import type pg from 'pg';
import type { CommandToPublish } from '../src/appDeps.ts';
import { commandApiMetrics, type CommandApiMetrics } from '../src/commandApiMetrics.ts';
import {
  createCommandProducer,
  type CommandProducer,
  type CommandProducerOptions,
} from '../src/kafka/commandProducer.ts';
import { createCommandKafkaProducer } from '../src/kafka/kafkaProducer.ts';
import { startCommandApi } from '../src/wiring.ts';
import { request } from '@ledger/testing/httpClient';
import { waitForMetric } from '@ledger/testing/metricWait';
import { setUpEnvironment, type IntegrationEnvironment } from './intSupport.ts';

const payload = (transferId: string, amount = 700n): Transfer => ({
  type: 'Transfer',
  transferId,
  fromAccountId: 'carol',
  toAccountId: 'dave',
  amount,
  currency: 'EUR',
  metadata: {},
});
const body = (transfer: Transfer) => ({
  ...transfer,
  type: undefined,
  amount: transfer.amount.toString(),
});

void describe('command API degraded and bounded, against the real stack', () => {
  let environment: IntegrationEnvironment;
  let pool: pg.Pool;

  before(async () => {
    environment = await setUpEnvironment();
    pool = createPostgresPool({
      connectionString: environment.config().stack.postgresUrl,
      schema: environment.pgSchema,
      max: 2,
      applicationName: 'cmdapi-it',
    });
  });
  after(async () => {
    await pool.end();
    await environment.teardown();
  });

  void it('given Redis is down, when commands arrive, then they are accepted without waits or limits and replays come from Postgres', async () => {
    const known = payload('pg-known');
    await pool.query(
      `insert into transfers (transfer_id, idempotency_key, request_hash, command_id, from_account_id,
         to_account_id, amount, currency, status, decided_at)
       values ($1, $1, $2, 'cmd-pg-1', 'carol', 'dave', 700, 'EUR', 'posted', now())`,
      ['pg-known', requestHashOf(known)],
    );
    await pool.query(
      `insert into command_outcomes (command_id, kind, subject_id, status, versions, balances, decided_at)
       values ('cmd-pg-1', 'transfer', 'pg-known', 'applied', $1, $2, now())`,
      [
        { carol: 4, dave: 9 },
        { carol: '-700', dave: '700' },
      ],
    );
    const api = await startCommandApi(
      environment.config({
        LEDGER_REDIS_URL: 'redis://127.0.0.1:1',
        // The five /v1 requests below; the local limiter refuses a sixth.
        LEDGER_COMMAND_API_RATE_LIMIT: '5',
        LEDGER_COMMAND_API_RATE_WINDOW_MS: '60000',
      }),
      environment.logger,
      0,
    );
    const baseUrl = `http://127.0.0.1:${api.port}`;
    try {
      const waited = await request(baseUrl, 'POST', '/v1/transfers', {
        body: body(payload('no-redis-1')),
        headers: { prefer: 'wait=5' },
      });
      assert.equal(waited.status, 202, waited.text);
      assert.equal(waited.headers.get('preference-applied'), null);
      const second = await request(baseUrl, 'POST', '/v1/transfers', {
        body: body(payload('no-redis-2')),
      });
      assert.equal(second.status, 202);

      const replay = await request(baseUrl, 'POST', '/v1/transfers', { body: body(known) });
      assert.equal(replay.status, 201, replay.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.commandId, 'cmd-pg-1');
      assert.deepEqual(replay.body.balances, { carol: '-700', dave: '700' });
      const conflict = await request(baseUrl, 'POST', '/v1/transfers', {
        body: body(payload('pg-known', 701n)),
      });
      assert.equal(conflict.status, 409);
      const fetched = await request(baseUrl, 'GET', '/v1/commands/cmd-pg-1');
      assert.deepEqual(fetched.body, {
        commandId: 'cmd-pg-1',
        status: 'applied',
        versions: { carol: 4, dave: 9 },
      });
      const limited = await request(baseUrl, 'GET', '/v1/commands/cmd-pg-1');
      assert.equal(limited.status, 429, 'without Redis the local limiter decides');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);

      const ready = await request(baseUrl, 'GET', '/readyz');
      assert.equal(ready.status, 200, 'Redis is optional for readiness');
      const metrics = await request(baseUrl, 'GET', '/metrics');
      assert.match(metrics.text, /command_api_redis_up\{service="command-api"\} 0/);
      assert.match(
        metrics.text,
        /command_api_redis_degraded_total\{operation="outcome_wait",service="command-api"\} 1/,
      );
      assert.match(
        metrics.text,
        /command_api_redis_degraded_total\{operation="idempotency_claim",service="command-api"\} [1-9]/,
      );
      assert.match(
        metrics.text,
        /command_api_redis_degraded_total\{operation="rate_limit",service="command-api"\} 6/,
      );
    } finally {
      await api.stop();
    }
  });

  void it('given a rate limit of 2 in Redis, when a client sends 3, then the third is 429 with Retry-After', async () => {
    const api = await startCommandApi(
      environment.config({
        LEDGER_COMMAND_API_RATE_LIMIT: '2',
        LEDGER_COMMAND_API_RATE_WINDOW_MS: '60000',
      }),
      environment.logger,
      0,
    );
    const baseUrl = `http://127.0.0.1:${api.port}`;
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (const id of ['rl-1', 'rl-2', 'rl-3']) {
        const response = await request(baseUrl, 'POST', '/v1/transfers', {
          body: body(payload(id)),
        });
        statuses.push(response.status);
        retryAfter = response.headers.get('retry-after');
      }
      assert.deepEqual(statuses, [202, 202, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
    } finally {
      await api.stop();
    }
  });

  void it('given the processor group is behind by more than the bound, when posting, then 503 overloaded until it catches up', async () => {
    const config = environment.config({ LEDGER_COMMAND_API_CONSUMER_LAG_MAX: '1' });
    const api = await startCommandApi(config, environment.logger, 0);
    const baseUrl = `http://127.0.0.1:${api.port}`;
    const admin = environment.kafka.admin();
    await admin.connect();
    try {
      for (const id of ['lag-1', 'lag-2']) {
        assert.equal(
          (await request(baseUrl, 'POST', '/v1/transfers', { body: body(payload(id)) })).status,
          202,
        );
      }
      const lag = await api.lagMonitor.refresh();
      assert.ok(lag !== undefined && lag >= 2, `lag ${String(lag)}`);
      const shed = await request(baseUrl, 'POST', '/v1/transfers', {
        body: body(payload('lag-3')),
      });
      assert.equal(shed.status, 503);
      assert.equal(shed.body.code, 'overloaded');
      assert.ok(shed.headers.get('retry-after'));

      const topic = topicNames(environment.prefix).commands;
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId: config.processorGroupId,
        topic,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
      assert.equal(await api.lagMonitor.refresh(), 0);
      assert.equal(
        (await request(baseUrl, 'POST', '/v1/transfers', { body: body(payload('lag-4')) })).status,
        202,
      );
    } finally {
      await admin.disconnect();
      await api.stop();
    }
  });

  void it('given a request waiting for its outcome, when the service stops, then it answers 202 and the stop completes', async () => {
    const api = await startCommandApi(environment.config(), environment.logger, 0);
    const waiting = request(`http://127.0.0.1:${api.port}`, 'POST', '/v1/transfers', {
      body: body(payload('stop-1')),
      headers: { prefer: 'wait=30' },
    });
    await waitForMetric(
      api.registry,
      /command_api_commands_total\{type="Transfer",result="accepted"[^}]*\} 1/,
    );
    await api.stop();
    const response = await waiting;
    assert.equal(response.status, 202);
  });

  /** A coalescing producer on the real broker, with the bounds a test gives it. */
  const withCommandProducer = async (
    bounds: Pick<CommandProducerOptions, 'queueMessagesMax' | 'batchMessagesMax' | 'queueBytesMax'>,
    test: (commandProducer: CommandProducer, metrics: CommandApiMetrics) => Promise<void>,
  ) => {
    const metrics = commandApiMetrics(createMetricsRegistry('cmdapi-it'));
    const producer = createCommandKafkaProducer(environment.kafka);
    await producer.connect();
    try {
      const commandProducer = createCommandProducer({
        producer,
        topic: topicNames(environment.prefix).commands,
        encodeCommand: (command) => environment.serde.encodeCommand(command),
        metrics,
        logger: environment.logger,
        ...bounds,
      });
      await test(commandProducer, metrics);
      await commandProducer.drain();
    } finally {
      await producer.disconnect();
    }
  };

  void it('given many publishes in one tick, when produced for real, then they go out in one acked sendBatch and the queue is bounded', async () => {
    await withCommandProducer(
      { queueMessagesMax: 60, batchMessagesMax: 60 },
      async (commandProducer, metrics) => {
        const publishes = Array.from({ length: 50 }, (_, index) =>
          commandProducer.publish([toPublish(`co-${index}`)]),
        );
        await Promise.all(publishes);
        const batches = (await metrics.producerBatchSize.get()).values;
        assert.equal(batches.find((value) => value.metricName?.endsWith('_count'))?.value, 1);
        assert.equal(batches.find((value) => value.metricName?.endsWith('_sum'))?.value, 50);

        const burst = Array.from({ length: 61 }, (_, index) =>
          commandProducer.publish([toPublish(`qb-${index}`)]),
        );
        const settled = await Promise.allSettled(burst);
        const refused = settled.filter((result) => result.status === 'rejected');
        assert.equal(refused.length, 1);
        const [refusal] = refused;
        assert.ok(refusal?.status === 'rejected' && refusal.reason instanceof LedgerError);
        assert.equal(refusal.reason.code, 'overloaded');
      },
    );
  });

  void it('given queued publishes at the byte bound, when more arrive in the same tick, then those are refused with 503', async () => {
    const published = toPublish('qy-0');
    const value = environment.serde.encodeCommand({
      ...published.command,
      traceparent: published.traceparent ?? null,
    });
    const messageBytes = value.length + Buffer.byteLength(published.key);
    await withCommandProducer({ queueBytesMax: 3 * messageBytes }, async (commandProducer) => {
      // Same-length ids: every message has the same size.
      const burst = Array.from({ length: 5 }, (_, index) =>
        commandProducer.publish([toPublish(`qy-${index}`)]),
      );
      const settled = await Promise.allSettled(burst);
      assert.deepEqual(
        settled.map((result) =>
          result.status === 'fulfilled'
            ? 'accepted'
            : result.reason instanceof LedgerError
              ? result.reason.code
              : String(result.reason),
        ),
        ['accepted', 'accepted', 'accepted', 'overloaded', 'overloaded'],
      );
    });
  });
});

function toPublish(transferId: string): CommandToPublish {
  const transfer = payload(transferId);
  return {
    command: {
      commandId: `cmd-${transferId}`,
      idempotencyKey: transferId,
      requestHash: requestHashOf(transfer),
      receivedAt: Date.now(),
      payload: transfer,
    },
    key: transfer.fromAccountId,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    requestId: `req-${transferId}`,
  };
}
