import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import {
  chainGenesisHash,
  chainHashOf,
  type LedgerCommand,
  type LedgerEvent,
} from '@ledger/schemas';
import type { Producer } from 'kafkajs';
import {
  versionsMissingFromChangelog,
  waitForBalancesTopicToMatchLedger,
} from '@ledger/testing/balancesTopic';
import { unpublishedOutboxCount } from '../src/outboxPosition.ts';
import {
  createTestProducer,
  decidedCount,
  ledgerViolations,
  produceCommands,
} from '@ledger/testing/ledgerWorkload';
import { ProcessorProcess } from './processorProcess.ts';
import { SeededRandom } from '@ledger/testing/domainRandom';
import { randomWorkload } from '@ledger/testing/randomWorkload';

const seed = Number(process.env.LEDGER_TEST_SEED ?? Date.now() % 1_000_000);
const accounts = 60;
const transfers = 5_000;
const kills = 5;
/** Commands produced per send while the processors are being killed: the stream keeps flowing. */
const produceChunk = 50;
const producePaceMs = 150;

describe(`ledger processors under kill -9 (seed ${seed})`, () => {
  let env: LedgerTestEnvironment;
  let producer: Producer;
  const processors: ProcessorProcess[] = [];

  before(async () => {
    env = await createLedgerTestEnvironment('crash');
    producer = await createTestProducer(env.kafka);
    const processEnv = env.env({ LEDGER_PROCESSOR_SESSION_TIMEOUT_MS: '6000' });
    processors.push(new ProcessorProcess('p1', processEnv), new ProcessorProcess('p2', processEnv));
    await Promise.all(processors.map((processor) => processor.start()));
  });

  after(async () => {
    await Promise.all(processors.map((processor) => processor.stop()));
    await producer?.disconnect();
    await env?.teardown();
  });

  it('given two processors sharing the partitions and a seeded workload, when they are killed at random points while commands flow, then every accepted command is decided exactly once and the invariants hold', async () => {
    const workload = randomWorkload({ seed, accounts, transfers, holds: true, lifecycle: true });
    const total = workload.opens.length + workload.transfers.length;
    await produceCommands(producer, env.serde, env.topics.commands, workload.opens);
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= workload.opens.length,
      'accounts opened',
    );

    // Commands flow at a steady pace while the kills happen, each kill triggered by progress.
    const producing = (async () => {
      for (let start = 0; start < workload.transfers.length; start += produceChunk) {
        await produceCommands(
          producer,
          env.serde,
          env.topics.commands,
          workload.transfers.slice(start, start + produceChunk),
        );
        await new Promise((resolve) => setTimeout(resolve, producePaceMs));
      }
    })();
    const random = new SeededRandom(seed + 1);
    for (let kill = 1; kill <= kills; kill += 1) {
      const threshold = Math.floor(
        total * (0.1 + (0.6 * kill) / kills) * (0.9 + 0.1 * random.next()),
      );
      await waitUntil(
        async () => (await decidedCount(env.pool)) >= threshold,
        `${threshold} decided`,
        120_000,
      );
      const victim = processors[Math.floor(random.next() * processors.length)];
      assert.ok(victim);
      await victim.restart();
    }
    await producing;
    await waitUntil(
      async () => (await decidedCount(env.pool)) >= total,
      `all ${total} decided`,
      180_000,
    );
    // The processors go on running: the sweep still expires timed holds (1 to 3 s) after the last
    // command, each a decision, events and balances of its own. Wait them out, so the counts and
    // the logs read below are of a ledger that has stopped moving.
    await waitUntil(async () => {
      const due = await env.pool.query<{ n: string }>('select count(*) as n from pending_expiries');
      return Number(due.rows[0]?.n) === 0;
    }, 'every timed hold settled or expired');
    await waitUntil(
      async () => (await unpublishedOutboxCount(env.pool)) === 0,
      'the outbox drained',
    );

    const accepted = [...workload.opens, ...workload.transfers].map((c) => c.commandId);
    const decided = await env.pool.query<{ n: string }>(
      `select count(*) as n from command_outcomes where command_id = any($1)`,
      [accepted],
    );
    assert.equal(Number(decided.rows[0]?.n), total, 'every accepted command has one outcome');
    // Besides them only the expiry sweep's commands, one per expired pending transfer.
    const expiries = await env.pool.query<{ n: string }>(
      `select count(*) as n from command_outcomes where command_id like 'expire-%'`,
    );
    assert.equal(
      await decidedCount(env.pool),
      total + Number(expiries.rows[0]?.n),
      'and nothing else was decided',
    );
    const transferRows = await env.pool.query(`select 1 from transfers`);
    assert.equal(
      transferRows.rowCount,
      workload.distinctTransferIds,
      'each transferId decided once',
    );
    // Posts and voids name no transfer of their own, and account changes neither: a retry of
    // one replays only if the first went ahead, so they are counted apart.
    const settlementIds = [...workload.settlementCommandIds];
    const changeIds = [...workload.changeCommandIds];
    const replays = await env.pool.query(
      `select 1 from command_outcomes
        where replay_of is not null and command_id <> all($1) and command_id not like 'expire-%'`,
      [[...settlementIds, ...changeIds]],
    );
    assert.equal(
      replays.rowCount,
      total -
        workload.opens.length -
        workload.distinctTransferIds -
        settlementIds.length -
        changeIds.length,
      'every client retry replayed the first outcome',
    );
    await assertChangesDecidedOnce(workload.transfers, new Set(changeIds));
    // Holds went every way through the kills: posted, voided, expired, refused past the amount.
    const settled = await env.pool.query<{ action: string }>(
      `select distinct action from pending_settlements order by action`,
    );
    assert.deepEqual(
      settled.rows.map((row) => row.action),
      ['expire', 'post', 'void'],
    );
    const legs = await env.pool.query(`
      select t.transfer_id from transfers t left join postings p on p.transfer_id = t.transfer_id
       where t.status = 'posted' group by t.transfer_id having count(p.*) <> 2`);
    assert.equal(legs.rowCount, 0, 'every posted transfer has exactly two legs');
    // Account changes went every way through the kills too, and the lifecycle's invariants
    // (ledgerViolations: gapless revisions, the row is its last change, closed holds nothing, no
    // entry while frozen or closed) hold.
    const kinds = await env.pool.query<{ change: string }>(
      `select distinct change from account_changes order by change`,
    );
    assert.deepEqual(
      kinds.rows.map((row) => row.change),
      ['close', 'freeze', 'unfreeze', 'update_metadata'],
    );
    const refusals = await env.pool.query<{ code: string }>(
      `select distinct code from command_outcomes
        where kind = 'account_change' and code is not null order by code`,
    );
    assert.ok(
      refusals.rows.some((row) => row.code === 'account_status_conflict'),
      'some changes refused',
    );
    assert.deepEqual(await ledgerViolations(env.pool), []);
    // The workload's reversals went both ways through the kills: some posted, some refused.
    const reversals = await env.pool.query<{ posted: string; refused: string }>(`
      select count(*) filter (where status = 'posted')::text as posted,
             count(*) filter (where code = 'reversal_exceeds_transfer')::text as refused
        from transfers where reversal_of is not null`);
    assert.ok(Number(reversals.rows[0]?.posted) > 0, 'some reversals posted');
    assert.ok(Number(reversals.rows[0]?.refused) > 0, 'some reversals refused past the amount');
    assert.equal(
      processors.reduce((sum, p) => sum + p.restarts, 0),
      kills,
    );
  });

  it('given the crashes, when the event log is read back, then every decision is in it once by event id and republished copies are identical', async () => {
    const expected = await env.pool.query<{ n: string }>(
      `select count(*) as n from outbox where event_type <> 'DeadLetter'`,
    );
    const expectedEvents = Number(expected.rows[0]?.n);
    const copies = new Map<string, string[]>();
    const consumer = env.kafka.consumer({ groupId: `${env.prefix}.audit` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topics.events, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const eventId = message.headers?.['event-id']?.toString() ?? '';
        copies.set(eventId, [...(copies.get(eventId) ?? []), message.value?.toString('hex') ?? '']);
        return Promise.resolve();
      },
    });
    try {
      await waitUntil(
        () => copies.size >= expectedEvents,
        `${expectedEvents} distinct events`,
        120_000,
      );
    } finally {
      await consumer.disconnect();
    }
    assert.equal(copies.size, expectedEvents);
    for (const [eventId, values] of copies) {
      assert.ok(
        values.every((value) => value === values[0]),
        `copies of ${eventId} differ`,
      );
    }
    const decidedEvents = await env.pool.query<{ n: string }>(
      `select count(*) as n from command_outcomes
        where replay_of is null and coalesce(code, '') <> 'idempotency_conflict'`,
    );
    assert.equal(Number(decidedEvents.rows[0]?.n), expectedEvents, 'one event per decided command');
    // Every chain continued exactly across the kills: 1..n without a gap, each link the hash of
    // its content after its predecessor's (schemas/src/eventChain.ts).
    const chains = new Map<number, LedgerEvent[]>();
    for (const [first] of copies.values()) {
      const event = await env.serde.decodeEvent(Buffer.from(first ?? '', 'hex'));
      assert.ok(event.chain, `event ${event.eventId} has no chain link`);
      chains.set(event.chain.chain, [...(chains.get(event.chain.chain) ?? []), event]);
    }
    for (const [chain, events] of chains) {
      events.sort((a, b) => (a.chain?.sequence ?? 0) - (b.chain?.sequence ?? 0));
      let previous = chainGenesisHash;
      events.forEach((event, index) => {
        assert.equal(event.chain?.sequence, index + 1, `chain ${chain} skips at ${index + 1}`);
        assert.equal(
          chainHashOf(previous, event),
          event.chain?.hash,
          `chain ${chain} link ${index + 1}`,
        );
        previous = event.chain?.hash ?? '';
      });
    }
    const heads = await env.pool.query<{ chain: number; sequence: string; hash: string }>(
      `select chain, sequence::text as sequence, hash from event_chain_heads where topic = $1`,
      [env.topics.events],
    );
    for (const head of heads.rows) {
      const last = chains.get(head.chain)?.at(-1)?.chain;
      assert.deepEqual([String(last?.sequence), last?.hash], [head.sequence, head.hash]);
    }
    assert.equal(heads.rowCount, chains.size, 'one stored head per chain');
  });

  it("given the crashes and two processors crediting each other's accounts, when the balances changelog is read back, then every key ends on the ledger's balance and revision and every version is on it", async () => {
    const { versions } = await waitForBalancesTopicToMatchLedger(env, env.pool, 120_000);
    assert.deepEqual(
      await versionsMissingFromChangelog(env.pool, versions),
      [],
      'versions not published with their balance',
    );
    await waitForChangelogRevisions(60_000);
  });

  /**
   * Each account change's outcome, by the rule of accountChangeDecider.ts: the command that owns
   * its (account, key) row in account_changes was applied; another with that key either replays
   * it or, decided before it, was refused; one whose key owns no row was refused.
   */
  async function assertChangesDecidedOnce(
    commands: readonly LedgerCommand[],
    changeIds: ReadonlySet<string>,
  ): Promise<void> {
    const rows = await env.pool.query<{ account_id: string; key: string; command_id: string }>(
      `select account_id, idempotency_key as key, command_id from account_changes`,
    );
    const owner = new Map(rows.rows.map((row) => [`${row.account_id}/${row.key}`, row.command_id]));
    const outcomes = await env.pool.query<{
      command_id: string;
      status: string;
      code: string | null;
      replay_of: string | null;
    }>(
      `select command_id, status, code, replay_of from command_outcomes
        where command_id = any($1::text[])`,
      [[...changeIds]],
    );
    const outcomeOf = new Map(outcomes.rows.map((row) => [row.command_id, row]));
    let replayed = 0;
    for (const change of commands.filter((c) => changeIds.has(c.commandId))) {
      assert.ok(change.payload.type === 'ChangeAccount');
      const first = owner.get(`${change.payload.accountId}/${change.idempotencyKey}`);
      const outcome = outcomeOf.get(change.commandId);
      const shown = `${change.commandId}: ${JSON.stringify(outcome)} (owner ${first})`;
      assert.notEqual(outcome?.code, 'idempotency_conflict', shown);
      if (first === change.commandId) {
        assert.ok(outcome?.status === 'applied' && outcome.replay_of === null, shown);
      } else if (outcome?.replay_of !== null && outcome?.replay_of !== undefined) {
        assert.equal(outcome.replay_of, first, shown);
        replayed += 1;
      } else {
        assert.equal(outcome?.status, 'rejected', shown);
      }
    }
    assert.equal(
      (await env.pool.query('select 1 from account_changes')).rowCount,
      owner.size,
      'one row per key',
    );
    assert.ok(replayed > 0, 'some retried changes replayed');
  }

  /** Until the last message of every key says its account's revision (absent: revision 1). */
  async function waitForChangelogRevisions(timeoutMs: number): Promise<void> {
    const last = new Map<string, string>();
    const consumer = env.kafka.consumer({ groupId: `${env.prefix}.revisions-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topics.balances, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        const change = await env.serde.decodeBalance(message.value);
        last.set(change.accountId, `v${change.version} r${change.revision ?? 1}`);
      },
    });
    let differing: string[] = [];
    try {
      await waitUntil(
        async () => {
          const ledger = await env.pool.query<{ id: string; at: string }>(
            `select id, 'v' || version || ' r' || revision as at from accounts`,
          );
          differing = ledger.rows
            .filter((row) => last.get(row.id) !== row.at)
            .map((row) => `${row.id} ${row.at} ≠ ${last.get(row.id)}`);
          return differing.length === 0;
        },
        'the balances changelog to end on every revision',
        timeoutMs,
      );
    } catch (error) {
      assert.fail(`${String(error)}: ${differing.slice(0, 10).join(', ')}`);
    } finally {
      await consumer.disconnect();
    }
  }
});
