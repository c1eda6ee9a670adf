import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger } from '@ledger/runtime';
import type { BalanceChanged, LedgerCommand, LedgerEvent } from '@ledger/schemas';
import type { Producer } from 'kafkajs';
import { readProcessorConfig } from '../src/config.ts';
import { startLedgerProcessor, type RunningProcessor } from '../src/wiring.ts';
import {
  command,
  createTestProducer,
  ledgerViolations,
  openAccount,
  pendingTransfer,
  produceCommands,
  settlement,
  transfer,
} from '@ledger/testing/ledgerWorkload';
import { readTopicUntil } from '@ledger/testing/topicReader';

// Pending transfers through the real processor, Kafka, registry and Postgres: holds reserve,
// posts and voids settle once, and the expiry sweep expires through the log.
describe('ledger processor: pending transfers against the real stack', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor;
  let producer: Producer;

  before(async () => {
    env = await createLedgerTestEnvironment('pending');
    producer = await createTestProducer(env.kafka);
    processor = await startLedgerProcessor(
      readProcessorConfig(env.env({ LEDGER_PROCESSOR_EXPIRY_SWEEP_INTERVAL_MS: '200' })),
      createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') }),
      { port: 0, onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`) },
    );
  });

  after(async () => {
    await processor?.stop();
    await producer?.disconnect();
    await env?.teardown();
  });

  /** Produces the commands one at a time, each after the one before was decided. */
  async function decide(...commands: LedgerCommand[]): Promise<Map<string, string>> {
    for (const next of commands) {
      await produceCommands(producer, env.serde, env.topics.commands, [next]);
      await waitUntil(async () => (await outcomes([next.commandId])).size === 1, 'decided');
    }
    return outcomes(commands.map((c) => c.commandId));
  }

  /** command id → `applied` or the rejection code. */
  async function outcomes(commandIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await env.pool.query<{ command_id: string; outcome: string }>(
      `select command_id, coalesce(code, status) as outcome from command_outcomes
        where command_id = any($1::text[])`,
      [commandIds],
    );
    return new Map(rows.map((row) => [row.command_id, row.outcome]));
  }

  async function account(id: string): Promise<[string, string, string]> {
    const { rows } = await env.pool.query<{ balance: string; held: string; version: string }>(
      `select balance::text, held::text, version::text from accounts where id = $1`,
      [id],
    );
    const row = rows[0];
    assert.ok(row !== undefined, id);
    return [row.balance, row.held, row.version];
  }

  const read = <T>(
    topic: string,
    decode: (value: Buffer) => Promise<T>,
    until: (seen: T[]) => boolean,
  ): Promise<T[]> => readTopicUntil(env, topic, decode, until);

  it('given alice with 1000, when she holds, posts part, voids, overspends and lets one expire, then every hold settles once and the books balance', async () => {
    await decide(
      command(openAccount('fund', 1_000_000n)),
      command(openAccount('alice')),
      command(openAccount('bob')),
      command(transfer('t-fund', 'fund', 'alice', 1_000n)),
    );
    const holds = [
      command(pendingTransfer('h-1', 'alice', 'bob', 300n)),
      command(pendingTransfer('h-2', 'alice', 'bob', 200n, 1)),
      command(pendingTransfer('h-3', 'alice', 'bob', 100n)),
    ];
    await decide(...holds);
    // Balance untouched, 600 held, one version per hold.
    assert.deepEqual(await account('alice'), ['1000', '600', '5']);

    const overspend = command(transfer('t-over', 'alice', 'bob', 401n));
    const postPart = command(settlement('h-1', 'alice', 'bob', 'post', 250n));
    const voidIt = command(settlement('h-3', 'alice', 'bob', 'void'));
    const postVoided = command(settlement('h-3', 'alice', 'bob', 'post'));
    const repeat = { ...postPart, commandId: randomUUID() };
    const decided = await decide(overspend, postPart, voidIt, postVoided, repeat);
    assert.deepEqual(
      [overspend, postPart, voidIt, postVoided, repeat].map((c) => decided.get(c.commandId)),
      ['insufficient_funds', 'applied', 'applied', 'transfer_not_pending', 'applied'],
    );

    // h-2 expires through the log: the sweep appends its expiry, the processor decides it.
    await waitUntil(async () => {
      const { rows } = await env.pool.query(
        `select 1 from pending_settlements where transfer_id = 'h-2' and action = 'expire'`,
      );
      return rows.length === 1;
    }, 'the expiry of h-2');
    assert.deepEqual(await account('alice'), ['750', '0', '8']);
    assert.deepEqual(await account('bob'), ['250', '0', '2']);
    const { rows: settled } = await env.pool.query<{
      transfer_id: string;
      action: string;
      amount: string;
    }>(`select transfer_id, action, amount::text from pending_settlements order by transfer_id`);
    assert.deepEqual(
      settled.map((row) => [row.transfer_id, row.action, row.amount]),
      [
        ['h-1', 'post', '250'],
        ['h-2', 'expire', '200'],
        ['h-3', 'void', '100'],
      ],
    );
    const { rows: due } = await env.pool.query('select * from pending_expiries');
    assert.deepEqual(due, []);
    assert.deepEqual(await ledgerViolations(env.pool), []);

    // The log says the same, and the balances changelog publishes what is available.
    const types = (events: LedgerEvent[]) => events.map((event) => event.payload.type).join(',');
    const events = await read(
      env.topics.events,
      (value) => env.serde.decodeEvent(value),
      (seen) =>
        seen.some(
          (event) => event.payload.type === 'PendingVoided' && event.payload.reason === 'expired',
        ),
    );
    const holdEvents = events.filter(
      (event) => event.payload.type !== 'AccountOpened' && event.payload.type !== 'TransferPosted',
    );
    assert.equal(
      types(holdEvents),
      'TransferPending,TransferPending,TransferPending,TransferRejected,PendingPosted,PendingVoided,SettlementRejected,PendingVoided',
    );
    const balances = await read<BalanceChanged>(
      env.topics.balances,
      (value) => env.serde.decodeBalance(value),
      (seen) => seen.some((change) => change.accountId === 'alice' && change.version === 8),
    );
    assert.deepEqual(
      balances
        .filter((change) => change.accountId === 'alice')
        .map((change) => [change.version, change.balance, change.available]),
      [
        [1, 0n, 0n],
        [2, 1_000n, 1_000n],
        [3, 1_000n, 700n],
        [4, 1_000n, 500n],
        [5, 1_000n, 400n],
        [6, 750n, 450n],
        [7, 750n, 550n],
        [8, 750n, 750n],
      ],
    );
  });
});
