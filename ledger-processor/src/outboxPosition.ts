import type pg from 'pg';

/**
 * The outbox's published position (migration 0013): per command partition, the highest outbox id
 * up to which every row has been acknowledged by Kafka. Ids rise in commit order within one
 * partition (each writer locks the partition's offset row before it inserts), so what was
 * published is a prefix of the partition's rows and one number per partition records it. A
 * partition without a position row has published nothing (ids start at 1).
 *
 * The one definition of "rows past the position", for the relay's drain and position statement,
 * the bench's audit and drain poll, and the tests.
 */

/**
 * SQL condition: outbox row `o` of `partition` lies past `position` (SQL expressions that do not
 * refer to `o`). The partition is bounded on both sides instead of equated on purpose: with an
 * equality the planner may read `order by id` off the primary key and filter the partition, which
 * for a partition quiet since its position walks every row the other partitions wrote since (300k
 * rows to find none, in a test); a range keeps the plan on outbox_partition_id. So every reader
 * of the first rows past a position orders by (command_partition, id), which only that index
 * gives without a sort (an `exists` would let the planner choose the primary key again).
 */
function pastPositionSql(partition: string, position: string): string {
  return `o.command_partition between ${partition} and ${partition} and o.id > ${position}`;
}

/** SQL expression: the published position of `partition`, 0 when it published nothing. */
function positionOfSql(partition: string): string {
  return `coalesce((select p.published_id from outbox_positions p where p.command_partition = ${partition}), 0)`;
}

/** The relay's drain read: the next rows of partition $1 past its position, in id order. */
export const unpublishedRowsSql = `select o.id, o.topic, o.partition_key, o.event_id, o.event_type, o.headers, o.payload
    from outbox o
   where ${pastPositionSql('$1::integer', positionOfSql('$1::integer'))}
   order by o.command_partition, o.id
   limit $2`;

/**
 * Advances partition $1's position to $3, the last id of a chunk Kafka acknowledged, whose first
 * id is $2; answers whether rows past the position lie before $2 (a gap), in which case the
 * position stays. One statement: one HOT update of one row (neither column is indexed) and one
 * probe of outbox_partition_id that normally finds nothing. The position only moves forward, so a
 * former owner's slower relay never moves it back.
 *
 * The gap matters after a rebalance: a former owner can still commit a batch after the new
 * owner's drain has read up to the end (an in-flight transaction, a stalled process), and if it
 * dies before publishing that batch, moving the position past its rows would skip them for good.
 */
export const advancePublishedPositionSql = `with gap as (
    select (
      select o.id from outbox o
       where ${pastPositionSql('$1::integer', positionOfSql('$1::integer'))} and o.id < $2::bigint
       order by o.command_partition, o.id
       limit 1
    ) is not null as found
  ), advanced as (
    insert into outbox_positions (command_partition, published_id)
    select $1::integer, $3::bigint from gap where not gap.found
    on conflict (command_partition) do update
       set published_id = excluded.published_id, updated_at = now()
     where outbox_positions.published_id < excluded.published_id
  )
  select found as gap from gap`;

/**
 * Rows counted per partition at most. The count runs with each position as a literal, so the
 * planner sees how few rows lie past it; the cap bounds its estimate for a partition quiet since a
 * position far back, which would otherwise cost enough for Postgres to JIT-compile the statement
 * (60-180 ms each time, measured; the bench polls this 4×/s).
 */
export const unpublishedCountedPerPartitionMax = 10_000;

/**
 * Outbox rows not yet acknowledged by Kafka, all partitions; exact up to
 * `unpublishedCountedPerPartitionMax` per partition (0 once the relay caught up). Two statements:
 * the positions, then the rows past them.
 */
export async function unpublishedOutboxCount(db: Pick<pg.Pool, 'query'>): Promise<number> {
  // Partitions are Kafka partition numbers, dense from 0.
  const positions = await db.query<{ partition: number; position: string }>(
    `select s.n as partition, ${positionOfSql('s.n')}::text as position
       from generate_series(0, (select max(command_partition) from outbox)) as s (n)`,
  );
  if (positions.rows.length === 0) return 0;
  const counts = positions.rows.map((_, index) => {
    const past = pastPositionSql(`$${2 * index + 1}::integer`, `$${2 * index + 2}::bigint`);
    return `(select count(*) from (select from outbox o where ${past} limit ${unpublishedCountedPerPartitionMax}) capped)`;
  });
  const result = await db.query<{ n: string }>(
    `select (${counts.join(' + ')})::text as n`,
    positions.rows.flatMap((row) => [row.partition, row.position]),
  );
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Per partition of $1 (an int[]), how many seconds ago the first row past its position was
 * written; no row for a partition that published everything. The first row past the position is
 * the oldest unpublished one (ids rise in commit order within a partition).
 */
export const oldestUnpublishedAgesSql = `select s.partition, extract(epoch from now() - first.created_at)::float8 as age_seconds
    from unnest($1::integer[]) as s (partition)
    cross join lateral (
      select o.created_at from outbox o
       where ${pastPositionSql('s.partition', positionOfSql('s.partition'))}
       order by o.command_partition, o.id
       limit 1
    ) first`;
