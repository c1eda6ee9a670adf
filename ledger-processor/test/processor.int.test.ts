import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger, outcomeKey } from '@ledger/runtime';
import type { LedgerEvent } from '@ledger/schemas';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { readProcessorConfig } from '../src/config.ts';
import { startLedgerProcessor, type RunningProcessor } from '../src/wiring.ts';
import {
  command,
  createTestProducer,
  decidedCount,
  ledgerViolations,
  openAccount,
  produceCommands,
  transfer,
} from '@ledger/testing/ledgerWorkload';

describe('ledger processor against the real stack', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor;
  let producer: Producer;
  let redis: Redis;

  before(async () => {
    env = await createLedgerTestEnvironment('processor');
    producer = await createTestProducer(env.kafka);
    redis = new Redis(env.stack.redisUrl);
    processor = await startLedgerProcessor(
      readProcessorConfig(env.env()),
      createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') }),
      { port: 0, onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`) },
    );
  });

  after(async () => {
    await processor?.stop();
    await producer?.disconnect();
    redis?.disconnect();
    await env?.teardown();
  });

  async function eventsFor(commandIds: readonly string[]): Promise<LedgerEvent[]> {
    const wanted = new Set(commandIds);
    const found: LedgerEvent[] = [];
    const consumer = env.kafka.consumer({ groupId: `${env.prefix}.reader.${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topics.events, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        const event = await env.serde.decodeEvent(message.value);
        if (wanted.has(event.commandId)) found.push(event);
      },
    });
    try {
      await waitUntil(() => found.length >= wanted.size, `${wanted.size} events`);
    } finally {
      await consumer.disconnect();
    }
    return found;
  }

  it('given open accounts and a funded transfer, when decided, then the ledger posts both legs and publishes the events', async () => {
    const commands = [
      command(openAccount('fund', 1_000_000n)),
      command(openAccount('alice')),
      command(openAccount('bob')),
      command(transfer('t-fund-alice', 'fund', 'alice', 5_000n)),
    ];
    await produceCommands(producer, env.serde, env.topics.commands, commands.slice(0, 3));
    await waitUntil(async () => (await decidedCount(env.pool)) >= 3, 'accounts opened');
    await produceCommands(producer, env.serde, env.topics.commands, commands.slice(3));
    await waitUntil(async () => (await decidedCount(env.pool)) >= 4, 'transfer decided');

    const balances = await env.pool.query<{ id: string; balance: string; version: string }>(
      `select id, balance::text, version from accounts order by id`,
    );
    assert.deepEqual(
      balances.rows.map((row) => [row.id, row.balance, row.version]),
      [
        ['alice', '5000', '2'],
        ['bob', '0', '1'],
        ['fund', '-5000', '2'],
      ],
    );
    const events = await eventsFor(commands.map((c) => c.commandId));
    const posted = events.find((event) => event.payload.type === 'TransferPosted');
    assert.ok(posted && posted.payload.type === 'TransferPosted');
    assert.deepEqual(posted.payload.debit, {
      accountId: 'fund',
      balanceAfter: -5_000n,
      version: 2,
    });
    assert.deepEqual(posted.payload.credit, {
      accountId: 'alice',
      balanceAfter: 5_000n,
      version: 2,
    });
    const notice = await redis.get(outcomeKey(env.prefix, commands[3]?.commandId ?? ''));
    assert.deepEqual(JSON.parse(notice ?? 'null'), {
      commandId: commands[3]?.commandId,
      status: 'applied',
      versions: { fund: 2, alice: 2 },
      balances: { fund: '-5000', alice: '5000' },
    });
    assert.deepEqual(await ledgerViolations(env.pool), []);
  });

  it('given an overdrawing transfer and a retried one, when decided, then one is rejected with insufficient_funds and the retry replays', async () => {
    const overdraw = command(transfer('t-overdraw', 'alice', 'bob', 999_999n));
    const first = command(transfer('t-once', 'alice', 'bob', 100n));
    const retry = command(transfer('t-once', 'alice', 'bob', 100n));
    const conflict = command(transfer('t-once', 'alice', 'bob', 101n));
    const before = await decidedCount(env.pool);
    await produceCommands(producer, env.serde, env.topics.commands, [
      overdraw,
      first,
      retry,
      conflict,
    ]);
    await waitUntil(async () => (await decidedCount(env.pool)) >= before + 4, 'four outcomes');

    const outcomes = await env.pool.query<{
      command_id: string;
      status: string;
      code: string | null;
      replay_of: string | null;
    }>(
      `select command_id, status, code, replay_of from command_outcomes where command_id = any($1)`,
      [[overdraw.commandId, first.commandId, retry.commandId, conflict.commandId]],
    );
    const byId = new Map(outcomes.rows.map((row) => [row.command_id, row]));
    assert.equal(byId.get(overdraw.commandId)?.code, 'insufficient_funds');
    assert.equal(byId.get(first.commandId)?.status, 'applied');
    assert.equal(byId.get(retry.commandId)?.status, 'applied');
    assert.equal(byId.get(retry.commandId)?.replay_of, first.commandId);
    assert.equal(byId.get(conflict.commandId)?.code, 'idempotency_conflict');
    const postings = await env.pool.query(`select 1 from postings where transfer_id = 't-once'`);
    assert.equal(postings.rowCount, 2, 'the retried transfer is posted once');
    assert.deepEqual(await ledgerViolations(env.pool), []);
  });

  it('given an undecodable message, when consumed, then it goes to the dead-letter topic and the partition moves on', async () => {
    const after = command(openAccount('carol'));
    const before = await decidedCount(env.pool);
    await producer.send({
      topic: env.topics.commands,
      acks: -1,
      messages: [{ key: 'carol', value: Buffer.from('not avro at all') }],
    });
    await produceCommands(producer, env.serde, env.topics.commands, [after]);
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= before + 1,
      'the next command decided',
    );
    const letters: string[] = [];
    const consumer = env.kafka.consumer({ groupId: `${env.prefix}.dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topics.commandsDlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        const letter = await env.serde.decodeDeadLetter(message.value);
        letters.push(
          `${letter.value.toString()}|${message.headers?.['dlq-reason']?.toString() ?? ''}`,
        );
      },
    });
    try {
      await waitUntil(() => letters.length > 0, 'a dead letter');
    } finally {
      await consumer.disconnect();
    }
    assert.match(letters[0] ?? '', /^not avro at all\|malformed_message/);
  });
});
