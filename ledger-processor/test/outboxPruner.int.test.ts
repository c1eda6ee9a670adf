import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/infra';
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
    await env.pool.query('truncate outbox restart identity');
  });

  /** `count` rows tagged `tag`, created `createdAgo` ago and sent `sentAgo` ago (null: unsent). */
  async function addRows(count: number, tag: string, createdAgo: string, sentAgo: string | null) {
    await env.pool.query(
      `insert into outbox (command_partition, topic, partition_key, event_id, event_type, payload,
                           created_at, sent_at)
       select 0, 'ledger.events', 'acct', $1 || '-' || n, 'TransferPosted', '\\x00'::bytea,
              now() - $2::interval, now() - $3::interval
         from generate_series(1, $4::int) n`,
      [tag, createdAgo, sentAgo, count],
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

  it('given sent rows older than the retention among unsent and recent ones, when a round runs, then only the old sent rows are deleted', async () => {
    await addRows(2, 'stuck', '3 days', null); // unsent at the front must survive
    await addRows(3, 'old', '2 days', '2 days');
    await addRows(2, 'recent', '1 minute', '1 minute');
    await addRows(1, 'unsent', '1 second', null);
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

  it('given more old sent rows than one window holds, when a round runs, then it deletes them window after window', async () => {
    const rows = outboxPruneWindowRows * 2 + 17;
    await addRows(rows, 'old', '2 days', '2 days');
    await addRows(5, 'recent', '1 minute', '1 minute');

    const deleted = await pruner(86_400).pruner.pruneOnce();

    assert.equal(deleted, rows);
    assert.deepEqual(await remainingTags(), new Map([['recent', 5]]));
  });

  it('given a retention of zero, when a round runs, then every sent row goes and no unsent one', async () => {
    await addRows(4, 'sent', '1 second', '1 second');
    await addRows(3, 'unsent', '1 second', null);

    const deleted = await pruner(0).pruner.pruneOnce();

    assert.equal(deleted, 4);
    assert.deepEqual(await remainingTags(), new Map([['unsent', 3]]));
  });

  it('given nothing older than the retention, when a round runs, then nothing is deleted', async () => {
    await addRows(6, 'recent', '1 minute', '1 minute');

    assert.equal(await pruner(86_400).pruner.pruneOnce(), 0);
    assert.deepEqual(await remainingTags(), new Map([['recent', 6]]));
  });
});
