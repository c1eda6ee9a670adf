import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/testing';
import { Counter, Registry } from 'prom-client';
import { createOutboxPruner, outboxPruneWindowRows } from '../src/outboxPruner.ts';

describe('outbox pruner against the real Postgres', () => {
  let env: LedgerTestEnvironment;

  before(async () => {
    env = await createLedgerTestEnvironment('outbox-pruner');
  });

  after(async () => {
    await env?.teardown();
  });

  beforeEach(async () => {
    await env.pool.query('truncate outbox, outbox_positions restart identity');
  });

  /** `count` rows of command partition `partition` tagged `tag`, created `createdAgo` ago. */
  async function addRows(count: number, tag: string, createdAgo: string, partition = 0) {
    await env.pool.query(
      `insert into outbox (command_partition, topic, partition_key, event_id, event_type, payload,
                           created_at)
       select $1::integer, 'ledger.events', 'acct', $2::text || '-' || n, 'TransferPosted', '\\x00'::bytea,
              now() - $3::interval
         from generate_series(1, $4::int) n`,
      [partition, tag, createdAgo, count],
    );
  }

  /** Moves the partition's published position to its last row, as the relay does. */
  async function publishAll(partition = 0) {
    await env.pool.query(
      `insert into outbox_positions (command_partition, published_id)
       select $1::integer, max(id) from outbox where command_partition = $1::integer
       on conflict (command_partition) do update set published_id = excluded.published_id`,
      [partition],
    );
  }

  async function remainingTags(): Promise<Map<string, number>> {
    const result = await env.pool.query<{ tag: string; rows: number }>(
      `select split_part(event_id, '-', 1) as tag, count(*)::int as rows from outbox group by 1`,
    );
    return new Map(result.rows.map((row) => [row.tag, row.rows]));
  }

  function pruner(retentionSeconds: number) {
    const pruned = new Counter({ name: 'pruned', help: 'pruned', registers: [new Registry()] });
    return {
      pruned,
      pruner: createOutboxPruner({
        pool: env.pool,
        logger: env.logger,
        pruned,
        retentionSeconds,
        intervalMs: 60_000,
      }),
    };
  }

  it('given published rows older than the retention among unpublished and recent ones, when a round runs, then only the old published rows are deleted', async () => {
    await addRows(2, 'stuck', '3 days', 1); // never published, at the front: must survive
    await addRows(3, 'old', '2 days');
    await addRows(2, 'recent', '1 minute');
    await publishAll();
    await addRows(1, 'unsent', '3 days'); // past the position: old, but not yet published
    const { pruner: oneDay, pruned } = pruner(86_400);

    const deleted = await oneDay.pruneOnce();

    assert.equal(deleted, 3);
    assert.equal((await pruned.get()).values[0]?.value, 3);
    assert.deepEqual(
      await remainingTags(),
      new Map([
        ['stuck', 2],
        ['recent', 2],
        ['unsent', 1],
      ]),
    );
  });

  it('given more old published rows than one window holds, when a round runs, then it deletes them window after window', async () => {
    const rows = outboxPruneWindowRows * 2 + 17;
    await addRows(rows, 'old', '2 days');
    await addRows(5, 'recent', '1 minute');
    await publishAll();

    const deleted = await pruner(86_400).pruner.pruneOnce();

    assert.equal(deleted, rows);
    assert.deepEqual(await remainingTags(), new Map([['recent', 5]]));
  });

  it('given a retention of zero, when a round runs, then every published row goes and no unpublished one', async () => {
    await addRows(4, 'sent', '1 second');
    await publishAll();
    await addRows(3, 'unsent', '1 second');

    const deleted = await pruner(0).pruner.pruneOnce();

    assert.equal(deleted, 4);
    assert.deepEqual(await remainingTags(), new Map([['unsent', 3]]));
  });

  it('given nothing older than the retention, when a round runs, then nothing is deleted', async () => {
    await addRows(6, 'recent', '1 minute');
    await publishAll();

    assert.equal(await pruner(86_400).pruner.pruneOnce(), 0);
    assert.deepEqual(await remainingTags(), new Map([['recent', 6]]));
  });
});
