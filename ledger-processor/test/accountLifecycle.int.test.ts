import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLogger, outcomeKey } from '@ledger/runtime';
import type { AccountChanged, BalanceChanged, LedgerCommand, LedgerEvent } from '@ledger/schemas';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { loadChangedBalance, loadNewerBalances } from '../src/balanceCatchUp.ts';
import { readProcessorConfig } from '../src/config.ts';
import { startLedgerProcessor, type RunningProcessor } from '../src/wiring.ts';
import {
  accountChange,
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

// Account changes through the real processor, Kafka, registry, Postgres and Redis: freezes refuse
// entries, closes need an empty account, expected revisions and keys are honoured, and the log,
// the balances changelog, the outcome notices and the rows all say the same.
describe('ledger processor: account lifecycle against the real stack', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor;
  let producer: Producer;
  let redis: Redis;

  before(async () => {
    env = await createLedgerTestEnvironment('lifecycle');
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

  /** Produces the commands one at a time, each after the one before was decided. */
  async function decide(...commands: LedgerCommand[]): Promise<string[]> {
    for (const next of commands) {
      await produceCommands(producer, env.serde, env.topics.commands, [next]);
      await waitUntil(async () => (await outcomes([next.commandId])).size === 1, 'decided');
    }
    return outcomesOf(commands);
  }

  /** Produces the commands in one send (one partition when keyed alike: decided in this order). */
  async function decideTogether(...commands: LedgerCommand[]): Promise<string[]> {
    await produceCommands(producer, env.serde, env.topics.commands, commands);
    const ids = commands.map((c) => c.commandId);
    await waitUntil(async () => (await outcomes(ids)).size === ids.length, 'decided');
    return outcomesOf(commands);
  }

  async function outcomesOf(commands: readonly LedgerCommand[]): Promise<string[]> {
    const decided = await outcomes(commands.map((c) => c.commandId));
    return commands.map((c) => decided.get(c.commandId) ?? 'undecided');
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

  /** `status revision version balance/held` and the metadata of an accounts row. */
  async function account(id: string): Promise<[string, Record<string, string>]> {
    const { rows } = await env.pool.query<{ shown: string; metadata: Record<string, string> }>(
      `select status || ' r' || revision || ' v' || version || ' ' || balance || '/' || held
              as shown, metadata
         from accounts where id = $1`,
      [id],
    );
    const row = rows[0];
    assert.ok(row !== undefined, id);
    return [row.shown, row.metadata];
  }

  /** `change status r<revision> v<version> key` per account_changes row of the account. */
  async function changesOf(id: string): Promise<string[]> {
    const { rows } = await env.pool.query<{ shown: string }>(
      `select change || ' ' || status || ' r' || revision || ' v' || version || ' ' ||
              idempotency_key as shown
         from account_changes where account_id = $1 order by revision`,
      [id],
    );
    return rows.map((row) => row.shown);
  }

  const read = <T>(
    topic: string,
    decode: (value: Buffer) => Promise<T>,
    until: (seen: T[]) => boolean,
  ): Promise<T[]> => readTopicUntil(env, topic, decode, until);

  const freezeAlice = command(accountChange('alice', 'freeze'), 'k-freeze-alice');
  const closeAlice = command(accountChange('alice', 'close'), 'k-close-alice');

  it('given alice funded, when she is frozen, her metadata updated and she is unfrozen, then entries touching her are refused account_closed only while frozen', async () => {
    assert.deepEqual(
      await decide(
        command(openAccount('fund', 1_000_000n)),
        command(openAccount('alice')),
        command(openAccount('bob')),
        command(transfer('t-fund-alice', 'fund', 'alice', 1_000n)),
      ),
      ['applied', 'applied', 'applied', 'applied'],
    );
    const metadata = command(
      accountChange('alice', 'update_metadata', { metadata: { tier: 'gold' } }),
    );
    const unfreeze = command(accountChange('alice', 'unfreeze', { expectedRevision: 3 }));
    assert.deepEqual(
      await decide(
        freezeAlice,
        command(transfer('t-from-frozen', 'alice', 'bob', 10n)),
        command(transfer('t-to-frozen', 'fund', 'alice', 10n)),
        command(pendingTransfer('h-frozen', 'alice', 'bob', 10n)),
        metadata,
        unfreeze,
        command(transfer('t-after', 'alice', 'bob', 100n)),
      ),
      [
        'applied',
        'account_closed',
        'account_closed',
        'account_closed',
        'applied',
        'applied',
        'applied',
      ],
    );
    assert.deepEqual(await account('alice'), ['open r4 v3 900/0', { tier: 'gold' }]);
    // The waiting client is told the new revision; the version is the one the change found.
    const notice = await redis.get(outcomeKey(env.prefix, freezeAlice.commandId));
    assert.deepEqual(JSON.parse(notice ?? 'null'), {
      commandId: freezeAlice.commandId,
      status: 'applied',
      versions: { alice: 2 },
      revision: 2,
    });
  });

  it('given alice at revision 4 and bob open, when a stale revision is expected or bob is frozen twice, then revision_conflict and account_status_conflict change nothing', async () => {
    assert.deepEqual(
      await decide(
        command(accountChange('alice', 'freeze', { expectedRevision: 2 })),
        command(accountChange('bob', 'freeze')),
        command(accountChange('bob', 'freeze')),
        command(accountChange('alice', 'unfreeze')),
      ),
      ['revision_conflict', 'applied', 'account_status_conflict', 'account_status_conflict'],
    );
    assert.deepEqual(await account('alice'), ['open r4 v3 900/0', { tier: 'gold' }]);
    assert.deepEqual((await account('bob'))[0], 'frozen r2 v2 100/0');
  });

  it('given alice with money, when she is closed, drained and closed again, then the first close is account_not_empty and after the second every change is account_closed', async () => {
    const early = command(accountChange('alice', 'close'));
    assert.deepEqual(
      await decide(
        early,
        command(transfer('t-drain', 'alice', 'fund', 900n)),
        closeAlice,
        command(accountChange('alice', 'update_metadata', { metadata: {} })),
        command(accountChange('alice', 'unfreeze')),
        command(accountChange('alice', 'close')),
        command(transfer('t-to-closed', 'fund', 'alice', 1n)),
      ),
      [
        'account_not_empty',
        'applied',
        'applied',
        'account_closed',
        'account_closed',
        'account_closed',
        'account_closed',
      ],
    );
    assert.deepEqual(await account('alice'), ['closed r5 v4 0/0', { tier: 'gold' }]);
  });

  it('given dave with nothing but a hold on his overdraft, when he is closed, then account_not_empty until the hold is voided', async () => {
    assert.deepEqual(
      await decide(
        command(openAccount('dave', 100n)),
        command(pendingTransfer('h-dave', 'dave', 'fund', 50n)),
        command(accountChange('dave', 'close')),
        command(settlement('h-dave', 'dave', 'fund', 'void')),
        command(accountChange('dave', 'close')),
      ),
      ['applied', 'applied', 'account_not_empty', 'applied', 'applied'],
    );
    assert.deepEqual(await account('dave'), ['closed r2 v3 0/0', {}]);
  });

  it('given a change sent twice under one Idempotency-Key, when decided, then the retry replays it (one row) and another body under that key is idempotency_conflict', async () => {
    await decide(command(openAccount('carol')));
    const first = command(accountChange('carol', 'freeze'), 'k-carol');
    const retry = command(accountChange('carol', 'freeze'), 'k-carol');
    const other = command(accountChange('carol', 'unfreeze'), 'k-carol');
    assert.deepEqual(await decide(first, retry, other), [
      'applied',
      'applied',
      'idempotency_conflict',
    ]);
    const { rows } = await env.pool.query<{
      command_id: string;
      replay_of: string | null;
      revision: string | null;
      kind: string;
    }>(
      `select command_id, replay_of, revision::text, kind from command_outcomes
        where command_id = any($1::text[]) order by decided_at, command_id`,
      [[first.commandId, retry.commandId, other.commandId]],
    );
    const byId = new Map(rows.map((row) => [row.command_id, row]));
    assert.deepEqual(byId.get(first.commandId), {
      command_id: first.commandId,
      replay_of: null,
      revision: '2',
      kind: 'account_change',
    });
    assert.deepEqual(byId.get(retry.commandId), {
      command_id: retry.commandId,
      replay_of: first.commandId,
      revision: '2',
      kind: 'account_change',
    });
    assert.deepEqual(byId.get(other.commandId)?.revision, null);
    assert.deepEqual(await changesOf('carol'), ['freeze frozen r2 v1 k-carol']);
    const notice = await redis.get(outcomeKey(env.prefix, retry.commandId));
    const replayed = JSON.parse(notice ?? '{}') as { revision?: number };
    assert.equal(replayed.revision, 2, 'the replay answers the revision too');
  });

  it('given commands of one account sent together, when a freeze precedes a payment and an opening its metadata update, then they are decided in log order', async () => {
    await decide(
      command(openAccount('erin')),
      command(transfer('t-fund-erin', 'fund', 'erin', 70n)),
    );
    assert.deepEqual(
      await decideTogether(
        command(accountChange('erin', 'freeze')),
        command(transfer('t-erin-frozen', 'erin', 'fund', 5n)),
      ),
      ['applied', 'account_closed'],
    );
    assert.deepEqual(
      await decideTogether(
        command(openAccount('frank')),
        command(accountChange('frank', 'update_metadata', { metadata: { name: 'Frank' } })),
        command(accountChange('frank', 'freeze', { expectedRevision: 2 })),
      ),
      ['applied', 'applied', 'applied'],
    );
    assert.deepEqual(await account('erin'), ['frozen r2 v2 70/0', {}]);
    // Frank's opening and changes usually share a batch: his row is inserted at revision 3.
    assert.deepEqual(await account('frank'), ['frozen r3 v1 0/0', { name: 'Frank' }]);
  });

  it('given the lifecycle above, when the rows, the log and the balances changelog are read, then each states every change with its revision and version and the ledger holds its invariants', async () => {
    assert.deepEqual(await changesOf('alice'), [
      'freeze frozen r2 v2 k-freeze-alice',
      'update_metadata frozen r3 v2 ' + (await keyOf('alice', 3)),
      'unfreeze open r4 v2 ' + (await keyOf('alice', 4)),
      'close closed r5 v4 k-close-alice',
    ]);
    assert.deepEqual(await ledgerViolations(env.pool), []);

    const events = await read(
      env.topics.events,
      (value) => env.serde.decodeEvent(value),
      (seen) =>
        seen.some(
          (event) =>
            event.payload.type === 'AccountChanged' &&
            event.payload.accountId === 'frank' &&
            event.payload.revision === 3,
        ),
    );
    const changes = (accountId: string) =>
      events.flatMap((event: LedgerEvent) => {
        const { payload } = event;
        if (payload.type === 'AccountChanged' && payload.accountId === accountId) {
          const meta = JSON.stringify(payload.metadata);
          return [
            `${payload.change} ${payload.status} r${payload.revision} v${payload.version} ${meta}`,
          ];
        }
        if (payload.type === 'AccountChangeRejected' && payload.accountId === accountId) {
          return [`${payload.change} ${payload.code}`];
        }
        return [];
      });
    assert.deepEqual(changes('alice'), [
      'freeze frozen r2 v2 {}',
      'update_metadata frozen r3 v2 {"tier":"gold"}',
      'unfreeze open r4 v2 {"tier":"gold"}',
      'freeze revision_conflict',
      'unfreeze account_status_conflict',
      'close account_not_empty',
      'close closed r5 v4 {"tier":"gold"}',
      'update_metadata account_closed',
      'unfreeze account_closed',
      'close account_closed',
    ]);
    assert.deepEqual(changes('frank'), [
      'update_metadata open r2 v1 {"name":"Frank"}',
      'freeze frozen r3 v1 {"name":"Frank"}',
    ]);
    // One event per decided command: the replay and the conflict add none.
    assert.deepEqual(changes('carol'), ['freeze frozen r2 v1 {}']);
    const frozenTransfer = events.find(
      (event) =>
        event.payload.type === 'TransferRejected' && event.payload.transferId === 't-from-frozen',
    );
    assert.equal(
      frozenTransfer?.payload.type === 'TransferRejected' && frozenTransfer.payload.code,
      'account_closed',
    );

    // The changelog publishes each change at the version it found, with the revision it made.
    const balances = await read<BalanceChanged>(
      env.topics.balances,
      (value) => env.serde.decodeBalance(value),
      (seen) => seen.some((change) => change.accountId === 'frank' && change.revision === 3),
    );
    const of = (accountId: string) =>
      balances
        .filter((change) => change.accountId === accountId)
        .map(
          (change) =>
            `v${change.version} r${change.revision} ${change.balance}/${change.available}`,
        );
    assert.deepEqual(of('alice'), [
      'v1 r1 0/0',
      'v2 r1 1000/1000',
      'v2 r2 1000/1000',
      'v2 r3 1000/1000',
      'v2 r4 1000/1000',
      'v3 r4 900/900',
      'v4 r4 0/0',
      'v4 r5 0/0',
    ]);
    assert.deepEqual(of('dave'), ['v1 r1 0/0', 'v2 r1 0/-50', 'v3 r1 0/0', 'v3 r2 0/0']);
    assert.deepEqual(of('frank'), ['v1 r1 0/0', 'v1 r2 0/0', 'v1 r3 0/0']);
  });

  it("given alice's changes in the ledger, when a drain or a catch-up reads their balances back, then each is the balance at the change's version with its revision", async () => {
    const changedAt = (revision: number, version: number): LedgerEvent<AccountChanged> => ({
      eventId: `drained-${revision}`,
      commandId: `drained-${revision}`,
      occurredAt: 42,
      payload: {
        type: 'AccountChanged',
        accountId: 'alice',
        change: 'update_metadata',
        status: 'frozen',
        metadata: {},
        revision,
        version,
      },
    });
    const shown = (b: BalanceChanged) =>
      `${b.accountId} v${b.version} r${b.revision} ${b.balance}/${b.available} @${b.updatedAt}`;
    assert.equal(
      shown(await loadChangedBalance(env.pool, changedAt(3, 2))),
      'alice v2 r3 1000/1000 @42',
    );
    assert.equal(shown(await loadChangedBalance(env.pool, changedAt(5, 4))), 'alice v4 r5 0/0 @42');
    const opening = await loadChangedBalance(env.pool, {
      ...changedAt(2, 1),
      payload: { ...changedAt(2, 1).payload, accountId: 'frank' },
    });
    assert.equal(shown(opening), 'frank v1 r2 0/0 @42');

    // The catch-up takes a later revision at the same version for news, and no revision for 1.
    const { rows } = await env.pool.query<{ changed_at: Date }>(
      `select changed_at from account_changes where account_id = 'alice' and revision = 5`,
    );
    const closedAt = rows[0]?.changed_at.getTime();
    const published = (version: number, revision?: number): BalanceChanged => ({
      accountId: 'alice',
      currency: 'USD',
      balance: 0n,
      version,
      ...(revision === undefined ? {} : { revision }),
      updatedAt: 0,
    });
    const newer = async (change: BalanceChanged) =>
      (await loadNewerBalances(env.pool, [change])).map(shown);
    assert.deepEqual(await newer(published(4, 4)), [`alice v4 r5 0/0 @${closedAt}`]);
    assert.deepEqual(await newer(published(4)), [`alice v4 r5 0/0 @${closedAt}`]);
    assert.deepEqual(await newer(published(4, 5)), []);
    assert.deepEqual(await newer(published(3, 9)), [`alice v4 r5 0/0 @${closedAt}`]);
  });

  /** The idempotency key of an account's change at `revision` (the command id when unkeyed). */
  async function keyOf(accountId: string, revision: number): Promise<string> {
    const { rows } = await env.pool.query<{ key: string; command_id: string }>(
      `select idempotency_key as key, command_id from account_changes
        where account_id = $1 and revision = $2`,
      [accountId, revision],
    );
    assert.equal(
      rows[0]?.key,
      rows[0]?.command_id,
      'a change sent without a key is keyed by its id',
    );
    return rows[0]?.key ?? '';
  }
});
