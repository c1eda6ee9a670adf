import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { migrations } from '../migrations/index.ts';
import {
  accountRow,
  config,
  ensureDatabase,
  migrateDown,
  migrateUp,
  postingRow,
  refused,
  rowsOf,
  transferRow,
  unique,
} from './ledgerSchemaFixtures.ts';

// The write side's schema against a real Postgres: each run migrates its own random schema in
// database `ledger` (created when missing), proves the constraints refuse broken ledger states,
// rolls everything back down and drops the schema. The migrations run through a tiny in-test
// runner (every `up` in order, in one transaction), independent of the migrator.

const schema = `ledger_schema_test_${randomBytes(4).toString('hex')}`;
const int64Max = 9_223_372_036_854_775_807n;
let knex: Knex;

/** Two committed accounts: a funder with a large overdraft and an empty receiver. */
async function givenTwoAccounts(): Promise<{ bank: string; alice: string }> {
  const bank = unique('bank');
  const alice = unique('alice');
  await knex('accounts').insert([
    accountRow(bank, { overdraftLimit: 1_000_000n }),
    accountRow(alice),
  ]);
  return { bank, alice };
}

void describe('ledger write-side schema (infra/migrations)', () => {
  before(async () => {
    await ensureDatabase();
    knex = knexFactory({
      client: 'pg',
      connection: config.postgresUrl,
      searchPath: [schema],
      pool: { min: 0, max: 2 },
    });
    await knex.raw('create schema ??', [schema]);
    await migrateUp(knex);
  });

  after(async () => {
    await knex?.raw('drop schema if exists ?? cascade', [schema]);
    await knex?.destroy();
  });

  void it('given the list, then names are unique and ordered and every write-side table is in the test schema', async () => {
    const names = migrations.map((m) => m.name);
    assert.deepEqual(names, [...new Set(names)].sort());
    const tables = (await knex('information_schema.tables')
      .where({ table_schema: schema })
      .pluck('table_name')) as string[];
    // Read models (the projector's migrations) follow in the same list; only the write side is
    // this test's concern.
    for (const table of [
      'accounts',
      'command_outcomes',
      'consumer_offsets',
      'outbox',
      'outbox_positions',
      'pending_posting_checks',
      'postings',
      'transfers',
    ]) {
      assert.ok(tables.includes(table), `${table} missing from ${tables.join(', ')}`);
    }
  });

  void it('given two accounts, when a balanced transfer is written as the processor will, then it commits', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    await knex.transaction(async (trx) => {
      await trx.raw('select id from accounts where id = any(?) order by id for update', [
        [bank, alice],
      ]);
      await trx('transfers').insert(transferRow(transferId, bank, alice, 700n));
      await trx('postings').insert([
        postingRow(transferId, bank, -700n, 2, -700n),
        postingRow(transferId, alice, 700n, 2, 700n),
      ]);
      await trx('accounts').where({ id: bank, version: 1 }).update({ balance: '-700', version: 2 });
      await trx('accounts').where({ id: alice, version: 1 }).update({ balance: '700', version: 2 });
      await trx('command_outcomes').insert({
        command_id: unique('cmd'),
        kind: 'transfer',
        subject_id: transferId,
        status: 'applied',
        versions: { [bank]: 2, [alice]: 2 },
        balances: { [bank]: '-700', [alice]: '700' },
        decided_at: new Date(),
      });
    });
    const rows = await knex('postings').where({ transfer_id: transferId }).sum({ total: 'amount' });
    assert.equal(rows[0]?.total, '0');
  });

  void it('given legs inserted by separate statements, when committed, then the check runs once all are in', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    await knex.transaction(async (trx) => {
      await trx('transfers').insert(transferRow(transferId, bank, alice, 3n));
      await trx('postings').insert(postingRow(transferId, alice, 3n, 2, 3n));
      await trx('postings').insert(postingRow(transferId, bank, -3n, 2, -3n));
    });
    // The queue of checks never outlives its transaction.
    const [queued] = await knex('pending_posting_checks').count({ n: '*' });
    assert.equal(Number(queued?.n), 0);
  });

  void it('given a transfer whose legs do not sum to zero, when committed, then the deferred trigger refuses it', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    const work = knex.transaction(async (trx) => {
      await trx('transfers').insert(transferRow(transferId, bank, alice, 10n));
      // Both inserts succeed: the check is deferred to commit, where it fails.
      await trx('postings').insert([
        postingRow(transferId, bank, -10n, 2, -10n),
        postingRow(transferId, alice, 9n, 2, 9n),
      ]);
    });
    await refused(work, '23514', 'postings_balance_per_transfer');
    assert.equal((await knex('transfers').where({ transfer_id: transferId })).length, 0);
  });

  void it('given a posted transfer with only its debit leg, when committed, then it is refused', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    const work = knex.transaction(async (trx) => {
      await trx('transfers').insert(transferRow(transferId, bank, alice, 10n));
      await trx('postings').insert(postingRow(transferId, bank, -10n, 2, -10n));
    });
    await refused(work, '23514', 'postings_balance_per_transfer');
  });

  void it('given a rejected transfer, when legs are posted for it, then it is refused', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    const work = knex.transaction(async (trx) => {
      await trx('transfers').insert(
        transferRow(transferId, bank, alice, 10n, 'rejected', 'insufficient_funds'),
      );
      await trx('postings').insert([
        postingRow(transferId, bank, -10n, 2, -10n),
        postingRow(transferId, alice, 10n, 2, 10n),
      ]);
    });
    await refused(work, '23514', 'postings_balance_per_transfer');
  });

  void it('given a committed transfer, when a later transaction adds a third leg, then it is refused', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const transferId = unique('t');
    await knex.transaction(async (trx) => {
      await trx('transfers').insert(transferRow(transferId, bank, alice, 5n));
      await trx('postings').insert([
        postingRow(transferId, bank, -5n, 2, -5n),
        postingRow(transferId, alice, 5n, 2, 5n),
      ]);
    });
    await refused(
      knex('postings').insert(postingRow(transferId, alice, 5n, 3, 10n)),
      '23514',
      'postings_balance_per_transfer',
    );
  });

  void it('given a posting at (account, version), when another posting claims the same version, then it is refused', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const [first, second] = [unique('t'), unique('t')];
    const work = knex.transaction(async (trx) => {
      await trx('transfers').insert([
        transferRow(first, bank, alice, 1n),
        transferRow(second, bank, alice, 1n),
      ]);
      await trx('postings').insert([
        postingRow(first, bank, -1n, 2, -1n),
        postingRow(first, alice, 1n, 2, 1n),
      ]);
      await trx('postings').insert(postingRow(second, bank, -1n, 2, -2n));
    });
    await refused(work, '23505', 'postings_pkey');
  });

  void it('given an account with an overdraft of 50, when its balance is set to −51, then it is refused', async () => {
    const id = unique('over');
    await knex('accounts').insert(accountRow(id, { overdraftLimit: 50n }));
    await knex('accounts').where({ id }).update({ balance: '-50', version: 2 });
    await refused(
      knex('accounts').where({ id }).update({ balance: '-51', version: 3 }),
      '23514',
      'accounts_balance_within_overdraft',
    );
    await refused(
      knex('accounts').insert(accountRow(unique('neg'), { balance: -1n })),
      '23514',
      'accounts_balance_within_overdraft',
    );
  });

  void it('given balances past int64, then numeric(38,0) keeps them exact and refuses 10^38', async () => {
    const id = unique('rich');
    const past = int64Max * 2n + 1n;
    await knex('accounts').insert(accountRow(id, { balance: past }));
    const [row] = await rowsOf<{ balance: string }>(
      knex,
      'select balance from accounts where id = ?',
      [id],
    );
    assert.equal(BigInt(row?.balance ?? 0), past);
    await refused(
      knex('accounts')
        .where({ id })
        .update({ balance: String(10n ** 38n) }),
      '22003',
    );
  });

  void it('given transfers, then amounts must be positive, codes must match status and keys are unique', async () => {
    const { bank, alice } = await givenTwoAccounts();
    await refused(
      knex('transfers').insert(
        transferRow(unique('t'), bank, alice, 0n, 'rejected', 'insufficient_funds'),
      ),
      '23514',
      'transfers_amount_positive',
    );
    await refused(
      knex('transfers').insert(
        transferRow(unique('t'), bank, alice, 1n, 'posted', 'insufficient_funds'),
      ),
      '23514',
      'transfers_code_matches_status',
    );
    await refused(
      knex('transfers').insert(transferRow(unique('t'), bank, bank, 1n)),
      '23514',
      'transfers_posted_between_two_accounts',
    );
    const id = unique('t');
    await knex('transfers').insert(transferRow(id, bank, alice, 1n, 'rejected', 'account_closed'));
    await refused(
      knex('transfers').insert({
        ...transferRow(unique('t'), bank, alice, 1n, 'rejected', 'account_closed'),
        idempotency_key: id,
      }),
      '23505',
      'transfers_idempotency_key_unique',
    );
  });

  void it('given decided facts, when updated or deleted, then the append-only guard refuses', async () => {
    const { bank, alice } = await givenTwoAccounts();
    const id = unique('t');
    await knex('transfers').insert(
      transferRow(id, bank, alice, 1n, 'rejected', 'insufficient_funds'),
    );
    await refused(
      knex('transfers').where({ transfer_id: id }).update({ status: 'posted', code: null }),
      '23000',
    );
    await refused(knex('transfers').where({ transfer_id: id }).delete(), '23000');
    await refused(knex('postings').where({ transfer_id: id }).delete(), '23000');
    await refused(knex('command_outcomes').delete(), '23000');
  });

  void it("given outbox rows and a published position, then the relay's read past the position is served by outbox_partition_id in id order", async () => {
    const rows = [1, 2, 3].map((n) => ({
      command_partition: 7,
      topic: 'ledger.events',
      partition_key: 'alice',
      event_id: unique('evt'),
      event_type: 'TransferPosted',
      payload: Buffer.from([0, 0, 0, 0, n]),
    }));
    const ids = await knex('outbox').insert(rows).returning('id');
    await knex('outbox_positions').insert({
      command_partition: 7,
      published_id: (ids[0] as { id: string }).id,
    });
    // The relay's drain read (ledger-processor/src/outboxPosition.ts), for partition 7.
    const relayQuery = `select o.id, o.payload from outbox o
      where o.command_partition between 7 and 7
        and o.id > coalesce((select p.published_id from outbox_positions p where p.command_partition = 7), 0)
      order by o.command_partition, o.id limit 100`;
    const unpublished = await rowsOf<{ payload: Buffer }>(knex, relayQuery);
    assert.deepEqual(
      unpublished.map((r) => [...r.payload]),
      [
        [0, 0, 0, 0, 2],
        [0, 0, 0, 0, 3],
      ],
    );
    const plan = await knex.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      return rowsOf<{ 'QUERY PLAN': string }>(trx, `explain ${relayQuery}`);
    });
    assert.match(plan.map((line) => line['QUERY PLAN']).join('\n'), /outbox_partition_id/);
  });

  void it('given a published position below zero, when written, then the check refuses it', async () => {
    await refused(
      knex('outbox_positions').insert({ command_partition: 9, published_id: -1 }),
      '23514',
      'outbox_positions_published_id_not_negative',
    );
  });

  void it('given a stored offset, when a writer compares-and-sets from a stale offset or generation, then no row changes', async () => {
    const key = { consumer_group: 'ledger-processor', topic: 'ledger.commands', partition: 3 };
    await knex('consumer_offsets').insert({
      ...key,
      next_offset: 100,
      generation: 5,
      owner: 'member-a',
    });
    const cas = (expected: number, next: number, generation: number) =>
      knex('consumer_offsets')
        .where({ ...key, next_offset: expected })
        .andWhere('generation', '<=', generation)
        .update({
          next_offset: next,
          generation,
          owner: `member-${generation}`,
          updated_at: knex.fn.now(),
        });
    assert.equal(await cas(99, 150, 5), 0, 'stale offset');
    assert.equal(await cas(100, 150, 4), 0, 'zombie of an older generation');
    assert.equal(await cas(100, 150, 6), 1, 'the owner moves on');
  });

  void it('given the migrated schema, when every down runs and then every up again, then it is empty and then whole', async () => {
    const tablesBefore = await knex('information_schema.tables')
      .where({ table_schema: schema })
      .count({ n: '*' });
    await migrateDown(knex);
    const left = await rowsOf<{ n: number }>(
      knex,
      `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ?
       union all select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ?`,
      [schema, schema],
    );
    assert.deepEqual(
      left.map((r) => r.n),
      [0, 0],
    );
    await migrateUp(knex);
    const tables = await knex('information_schema.tables')
      .where({ table_schema: schema })
      .count({ n: '*' });
    assert.equal(Number(tables[0]?.n), Number(tablesBefore[0]?.n));
  });
});
