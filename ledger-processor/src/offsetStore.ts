import { assert } from '@ledger/runtime';
import type pg from 'pg';

export interface PartitionRef {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * Locks the partition's stored offset row for the batch's transaction and returns where the
 * ledger has consumed up to. A missing row (the partition's first batch ever) is created at
 * `firstOffset`. The row lock serialises two processors that both believe they own the
 * partition (a zombie after a rebalance): the second waits, then sees the advanced offset and
 * skips what the first applied.
 */
export async function lockNextOffset(
  client: pg.PoolClient,
  ref: PartitionRef,
  firstOffset: bigint,
  owner: string,
): Promise<bigint> {
  await client.query(
    `insert into consumer_offsets (consumer_group, topic, partition, next_offset, generation, owner)
     values ($1, $2, $3, $4, 0, $5) on conflict do nothing`,
    [ref.consumerGroup, ref.topic, ref.partition, firstOffset.toString(), owner],
  );
  const result = await client.query<{ next_offset: string }>(
    `select next_offset from consumer_offsets
      where consumer_group = $1 and topic = $2 and partition = $3 for update`,
    [ref.consumerGroup, ref.topic, ref.partition],
  );
  const row = result.rows[0];
  assert(row !== undefined, `consumer_offsets row for partition ${ref.partition} vanished`);
  return BigInt(row.next_offset);
}

/**
 * Compare-and-set of the consumed offset, in the same transaction as the ledger writes it
 * covers: commits only if nobody moved it since `lockNextOffset`.
 */
export async function advanceOffset(
  client: pg.PoolClient,
  ref: PartitionRef,
  expected: bigint,
  next: bigint,
  owner: string,
): Promise<void> {
  assert(next > expected, `offset must advance: ${expected} -> ${next}`);
  const result = await client.query(
    `update consumer_offsets set next_offset = $4, owner = $6, updated_at = now()
      where consumer_group = $1 and topic = $2 and partition = $3 and next_offset = $5`,
    [ref.consumerGroup, ref.topic, ref.partition, next.toString(), expected.toString(), owner],
  );
  assert(result.rowCount === 1, `offset compare-and-set failed for partition ${ref.partition}`);
}

/** Where each partition resumes (read at assignment, to seek the consumer there). */
export async function storedOffsets(
  pool: pg.Pool,
  consumerGroup: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const result = await pool.query<{ partition: number; next_offset: string }>(
    `select partition, next_offset from consumer_offsets where consumer_group = $1 and topic = $2`,
    [consumerGroup, topic],
  );
  return new Map(result.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}
