import { assert } from '@ledger/runtime';
import type pg from 'pg';

export interface PartitionRef {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * Locks the partition's stored offset for the batch's transaction and returns where the read
 * models have consumed up to; the first batch ever creates the row at its first offset. The row
 * lock serialises two projectors that both believe they own the partition (a zombie after a
 * rebalance): the second waits, then sees the advanced offset and skips what the first applied.
 */
export async function lockNextOffset(
  client: pg.PoolClient,
  ref: PartitionRef,
  firstOffset: bigint,
): Promise<bigint> {
  await client.query(
    `insert into projector_offsets (consumer_group, topic, partition, next_offset)
     values ($1, $2, $3, $4) on conflict do nothing`,
    [ref.consumerGroup, ref.topic, ref.partition, firstOffset.toString()],
  );
  const result = await client.query<{ next_offset: string }>(
    `select next_offset from projector_offsets
      where consumer_group = $1 and topic = $2 and partition = $3 for update`,
    [ref.consumerGroup, ref.topic, ref.partition],
  );
  const row = result.rows[0];
  assert(row !== undefined, `projector_offsets row for partition ${ref.partition} vanished`);
  return BigInt(row.next_offset);
}

/** Compare-and-set, in the transaction of the rows it covers: commits only if nobody moved it. */
export async function advanceOffset(
  client: pg.PoolClient,
  ref: PartitionRef,
  expected: bigint,
  next: bigint,
): Promise<void> {
  assert(next > expected, `offset must advance: ${expected} -> ${next}`);
  const result = await client.query(
    `update projector_offsets set next_offset = $4, updated_at = now()
      where consumer_group = $1 and topic = $2 and partition = $3 and next_offset = $5`,
    [ref.consumerGroup, ref.topic, ref.partition, next.toString(), expected.toString()],
  );
  assert(result.rowCount === 1, `offset compare-and-set failed for partition ${ref.partition}`);
}

/** Every partition's stored offset for a group (the rebuild reads the live projector's). */
export async function storedOffsets(
  client: pg.Pool | pg.PoolClient,
  consumerGroup: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const result = await client.query<{ partition: number; next_offset: string }>(
    `select partition, next_offset from projector_offsets where consumer_group = $1 and topic = $2`,
    [consumerGroup, topic],
  );
  return new Map(result.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}

/**
 * Sets the group's offsets to what a rebuild consumed, in the swap's transaction. Only the
 * rebuild calls this, while it holds the gate that keeps live batches out (rebuildGate.ts).
 */
export async function replaceOffsets(
  client: pg.PoolClient,
  consumerGroup: string,
  topic: string,
  offsets: ReadonlyMap<number, bigint>,
): Promise<void> {
  const entries = [...offsets].sort(([a], [b]) => a - b);
  await client.query(
    `insert into projector_offsets (consumer_group, topic, partition, next_offset)
     select $1, $2, * from unnest($3::integer[], $4::bigint[])
     on conflict (consumer_group, topic, partition)
     do update set next_offset = excluded.next_offset, updated_at = now()`,
    [
      consumerGroup,
      topic,
      entries.map(([partition]) => partition),
      entries.map(([, offset]) => offset.toString()),
    ],
  );
}
