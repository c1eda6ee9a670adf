import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { WebSocket } from 'ws';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { readProjectorConfig } from '@ledger/projector/config';
import { startProjector, type RunningProjector } from '@ledger/projector/wiring';
import type { RunningQueryApi } from '@ledger/query-api/wiring';
import { maskAccountId, startTracing } from '@ledger/runtime';
import { getBalance } from '@ledger/testing/queryApiClient';
import { startInstance } from './queryApiInstance.ts';
import { readCommandApiConfig } from '@ledger/command-api/config';
import { startCommandApi, type RunningCommandApi } from '@ledger/command-api/wiring';
import { request } from '@ledger/testing/httpClient';

/**
 * One transfer followed through the real services, in-process against the real Kafka, registry,
 * Postgres and Redis (topics, schema and groups of its own), with the SDK set up as runService
 * does but exporting to memory: from its POST to the query-api cache update and WebSocket push,
 * every step's span is the child of the previous one or, where a batch has many parents, linked
 * to it; and no span says an account id in clear.
 */
const exporter = new InMemorySpanExporter();
startTracing('tracing-it', { spanProcessors: [new SimpleSpanProcessor(exporter)] });

const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const funding = 'funding-account';
const alice = 'alice-account';

describe('tracing: one transfer from its POST to the query-api cache', () => {
  let env: LedgerTestEnvironment;
  let api: RunningCommandApi;
  let processor: RunningProcessor;
  let projector: RunningProjector;
  let queryApi: RunningQueryApi;
  let baseUrl: string;
  const fatal = (what: string) => (error: unknown) => assert.fail(`${what}: ${String(error)}`);

  before(async () => {
    env = await createLedgerTestEnvironment('tracing');
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: fatal('processor'),
    });
    projector = await startProjector(readProjectorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: fatal('projector'),
    });
    queryApi = await startInstance(env, 'tracing');
    api = await startCommandApi(
      readCommandApiConfig(env.env({ LEDGER_COMMAND_API_HOST: '127.0.0.1' })),
      env.logger,
      0,
    );
    baseUrl = `http://127.0.0.1:${api.port}`;
  });

  after(async () => {
    await api?.stop();
    await queryApi?.stop();
    await projector?.stop();
    await processor?.stop();
    await env?.teardown();
  });

  it('given a sampled caller and a stream client, when a transfer is posted, then its spans chain from the request to the WebSocket push with masked accounts', async () => {
    // Given: two open accounts, alice's balance cached and streamed by the query API.
    const wait = { prefer: 'wait=10' };
    for (const [accountId, overdraftLimit] of [
      [funding, '1000000'],
      [alice, '0'],
    ] as const) {
      const opened = await request(baseUrl, 'POST', '/v1/accounts', {
        body: { accountId, currency: 'USD', overdraftLimit },
        headers: wait,
      });
      assert.equal(opened.status, 201, opened.text);
    }
    await waitUntil(
      async () => (await getBalance(queryApi, alice)).status === 200,
      'alice readable from the query API',
      20_000,
    );
    const frames: { type: string; accountId?: string; version?: number }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${queryApi.port}/v1/stream`);
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as never));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      ws.send(JSON.stringify({ subscribe: [alice] }));
      await waitUntil(
        () => frames.some((frame) => frame.type === 'subscribed'),
        'the subscription answered',
        10_000,
      );

      // When: the caller posts a transfer inside its own sampled trace.
      const posted = await request(baseUrl, 'POST', '/v1/transfers', {
        body: {
          transferId: 'traced-1',
          fromAccountId: funding,
          toAccountId: alice,
          amount: '1050',
          currency: 'USD',
        },
        headers: { ...wait, traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
      });
      assert.equal(posted.status, 201, posted.text);
      const commandId = String(posted.body.commandId);
      await waitUntil(
        () => frames.some((frame) => frame.accountId === alice && frame.version === 2),
        'the transfer pushed to the stream client',
        20_000,
      );

      // Then: the chain, step by step, each found from the previous one.
      const spans = () => exporter.getFinishedSpans();
      const find = async (what: string, predicate: (span: ReadableSpan) => boolean) => {
        await waitUntil(() => spans().some(predicate), what, 20_000);
        return spans().find(predicate) as ReadableSpan;
      };
      const childOf = (parent: ReadableSpan) => (span: ReadableSpan) =>
        span.parentSpanContext?.spanId === parent.spanContext().spanId &&
        span.spanContext().traceId === parent.spanContext().traceId;
      const linkedTo = (source: ReadableSpan) => (span: ReadableSpan) =>
        span.links.some((link) => link.context.spanId === source.spanContext().spanId);
      const named = (name: string) => (span: ReadableSpan) => span.name === name;
      const and =
        (...predicates: ((span: ReadableSpan) => boolean)[]) =>
        (span: ReadableSpan) =>
          predicates.every((predicate) => predicate(span));

      const http = await find(
        'the request span',
        and(named('POST /v1/transfers'), (span) => span.kind === SpanKind.SERVER),
      );
      assert.equal(http.spanContext().traceId, callerTraceId, 'the caller trace continues');
      assert.equal(http.parentSpanContext?.spanId, callerSpanId);
      assert.equal(http.attributes['http.route'], '/v1/transfers');
      assert.equal(http.attributes['http.response.status_code'], 201);

      const { topics } = env;
      const sendCommand = await find(
        'the command send span',
        and(named(`send ${topics.commands}`), childOf(http)),
      );
      assert.equal(sendCommand.kind, SpanKind.PRODUCER);
      assert.equal(sendCommand.attributes['ledger.command_id'], commandId);
      assert.equal(sendCommand.attributes['messaging.system'], 'kafka');
      assert.equal(sendCommand.attributes['messaging.destination.name'], topics.commands);
      assert.equal(sendCommand.attributes['ledger.from_account_id'], maskAccountId(funding));
      assert.equal(sendCommand.attributes['ledger.to_account_id'], maskAccountId(alice));

      const processBatch = await find(
        'the processor batch span linked to the command',
        and(named(`process ${topics.commands}`), linkedTo(sendCommand)),
      );
      assert.equal(processBatch.kind, SpanKind.CONSUMER);
      assert.equal(processBatch.parentSpanContext, undefined, 'a batch is a root: it has links');
      const commandLink = processBatch.links.find(
        (link) => link.context.spanId === sendCommand.spanContext().spanId,
      );
      assert.equal(commandLink?.context.traceId, callerTraceId);
      assert.equal(commandLink?.attributes?.['ledger.command_id'], commandId);
      await assertAtOffset(
        env,
        topics.commands,
        commandLink?.attributes?.['messaging.destination.partition.id'],
        commandLink?.attributes?.['messaging.kafka.offset'],
        sendCommand,
      );

      await find('the decide span', and(named('ledger.decide'), childOf(processBatch)));
      await find('the commit span', and(named('ledger.commit'), childOf(processBatch)));
      const sendEvents = await find(
        'the relay event send span',
        and(named(`send ${topics.events}`), childOf(processBatch)),
      );
      const sendBalances = await find(
        'the relay balances send span',
        and(named(`send ${topics.balances}`), childOf(processBatch)),
      );

      const project = await find(
        'the projector apply span',
        and(named(`process ${topics.events}`), linkedTo(sendEvents)),
      );
      const eventLink = project.links.find(
        (link) => link.context.spanId === sendEvents.spanContext().spanId,
      );
      await assertAtOffset(
        env,
        topics.events,
        eventLink?.attributes?.['messaging.destination.partition.id'],
        eventLink?.attributes?.['messaging.kafka.offset'],
        sendEvents,
      );

      const feed = await find(
        'the query-api feed span',
        and(named(`process ${topics.balances}`), linkedTo(sendBalances)),
      );
      const balanceLink = feed.links.find(
        (link) => link.context.spanId === sendBalances.spanContext().spanId,
      );
      assert.equal(balanceLink?.attributes?.['ledger.account_id'], maskAccountId(alice));
      assert.equal(balanceLink?.attributes?.['ledger.version'], 2);
      await assertAtOffset(
        env,
        topics.balances,
        balanceLink?.attributes?.['messaging.destination.partition.id'],
        balanceLink?.attributes?.['messaging.kafka.offset'],
        sendBalances,
      );
      const cacheUpdate = await find(
        'the cache update span',
        and(named('ledger.cache_update'), childOf(feed)),
      );
      await find('the WebSocket push span', and(named('ledger.stream_push'), childOf(cacheUpdate)));

      // And no span, link or event says an account id in clear.
      for (const span of spans()) {
        const texts = [
          span.name,
          ...Object.values(span.attributes).map(String),
          ...span.links.flatMap((link) => Object.values(link.attributes ?? {}).map(String)),
        ];
        for (const text of texts) {
          for (const accountId of [funding, alice]) {
            assert.ok(!text.includes(accountId), `${span.name} says ${accountId}: ${text}`);
          }
        }
      }
    } finally {
      ws.close();
    }
  });
});

/**
 * The message a link's partition and offset name is the one the linked send span wrote: its
 * traceparent header names that span.
 */
async function assertAtOffset(
  env: LedgerTestEnvironment,
  topic: string,
  partition: unknown,
  offset: unknown,
  sent: ReadableSpan,
): Promise<void> {
  assert.equal(typeof partition, 'string', `${topic}: a partition on the link`);
  assert.equal(typeof offset, 'number', `${topic}: an offset on the link`);
  const groupId = `${env.prefix}.trace-check.${topic}`;
  const consumer = env.kafka.consumer({ groupId });
  await consumer.connect();
  try {
    let traceparent: string | undefined;
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition: at, message }) => {
        if (String(at) === partition && message.offset === String(offset)) {
          traceparent = message.headers?.traceparent?.toString();
        }
        return Promise.resolve();
      },
    });
    await waitUntil(
      () => traceparent !== undefined,
      `${topic} ${String(partition)}@${String(offset)}`,
    );
    const { traceId, spanId } = sent.spanContext();
    assert.equal(traceparent, `00-${traceId}-${spanId}-01`);
  } finally {
    await consumer.disconnect();
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).finally(() => admin.disconnect());
  }
}
