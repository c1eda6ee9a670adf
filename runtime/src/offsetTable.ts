import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { assert } from './assert.ts';

/**
 * The consumed offset of record, stored in Postgres with the rows it covers (ledger writes and
 * "consumed up to" commit atomically, docs/architecture.md "The write path"; Kafka's own offset is
 * for lag monitoring only).
 * One implementation for the ledger processor (`consumer_offsets`, which also records the
 * writing instance) and the projector (`projector_offsets`).
 */
export type OffsetTableName = 'consumer_offsets' | 'projector_offsets';

export interface PartitionRef {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly partition: number;
}

export interface OffsetTable {
  /**
   * Locks the partition's row for the batch's transaction and returns the next offset to apply;
   * the first batch ever creates the row at `firstOffset`. The row lock serialises two consumers
   * that both believe they own the partition (a zombie after a rebalance): the second waits, then
   * sees the advanced offset and skips what the first applied.
   */
  lockNext(client: pg.PoolClient, ref: PartitionRef, firstOffset: bigint): Promise<bigint>;
  /** Compare-and-set in the same transaction: commits only if nobody moved it since lockNext. */
  advance(client: pg.PoolClient, ref: PartitionRef, expected: bigint, next: bigint): Promise<void>;
  /** Every partition's stored offset for a group. */
  stored(
    client: pg.Pool | pg.PoolClient,
    consumerGroup: string,
    topic: string,
  ): Promise<Map<number, bigint>>;
}

/** `owner` is recorded with each write where the table has the column (consumer_offsets). */
export function offsetTable(table: OffsetTableName, owner?: string): OffsetTable {
  const owned = table === 'consumer_offsets';
  assert(!owned || owner !== undefined, `${table} records the writing instance: pass an owner`);
  const insert = owned
    ? `insert into ${table} (consumer_group, topic, partition, next_offset, generation, owner)
       values ($1, $2, $3, $4, 0, $5) on conflict do nothing`
    : `insert into ${table} (consumer_group, topic, partition, next_offset)
       values ($1, $2, $3, $4) on conflict do nothing`;
  const update = `update ${table} set next_offset = $4, updated_at = now()${owned ? ', owner = $6' : ''}
     where consumer_group = $1 and topic = $2 and partition = $3 and next_offset = $5`;
  const ownerParam = owned ? [owner] : [];
  return {
    async lockNext(client, ref, firstOffset) {
      await client.query(insert, [
        ref.consumerGroup,
        ref.topic,
        ref.partition,
        firstOffset.toString(),
        ...ownerParam,
      ]);
      const result = await client.query<{ next_offset: string }>(
        `select next_offset from ${table}
          where consumer_group = $1 and topic = $2 and partition = $3 for update`,
        [ref.consumerGroup, ref.topic, ref.partition],
      );
      const row = result.rows[0];
      assert(row !== undefined, `${table} row for partition ${ref.partition} vanished`);
      return BigInt(row.next_offset);
    },
    async advance(client, ref, expected, next) {
      assert(next > expected, `offset must advance: ${expected} -> ${next}`);
      const result = await client.query(update, [
        ref.consumerGroup,
        ref.topic,
        ref.partition,
        next.toString(),
        expected.toString(),
        ...ownerParam,
      ]);
      assert(result.rowCount === 1, `offset compare-and-set failed for partition ${ref.partition}`);
    },
    async stored(client, consumerGroup, topic) {
      const result = await client.query<{ partition: number; next_offset: string }>(
        `select partition, next_offset from ${table} where consumer_group = $1 and topic = $2`,
        [consumerGroup, topic],
      );
      return new Map(result.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
    },
  };
}

/**
 * The stored offset of record can be at most the log's end: a partition's next offset past its
 * end means the topic was deleted and recreated (or truncated) after Postgres recorded what it
 * consumed, e.g. a Kafka whose data was wiped, or a second checkout's stack sharing this
 * database. Skipping up to it would silently drop the new log's commands and seeking there loops
 * on "offset out of range": an impossible state, so a crash that says what to do.
 *
 * The batch's high watermark is as of its fetch; another member may have consumed further since
 * (a zombie after a rebalance), so only when the stored offset is past it is the broker asked
 * for the partition's current end.
 */
export async function assertStoredOffsetInLog(
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  table: OffsetTableName,
  ref: { readonly topic: string; readonly partition: number },
  storedNext: bigint,
  batchHighWatermark: string,
): Promise<void> {
  if (storedNext <= BigInt(batchHighWatermark)) return;
  const ends = await admin.fetchTopicOffsets(ref.topic);
  const logEnd = BigInt(ends.find((end) => end.partition === ref.partition)?.high ?? '0');
  assert(
    storedNext <= logEnd,
    `${table} says partition ${ref.partition} of ${ref.topic} was consumed up to offset ` +
      `${storedNext}, but that partition ends at ${logEnd}: the topic was recreated or truncated ` +
      'after this database recorded its offsets. Refusing to consume; restore the topic, or point ' +
      'LEDGER_PG_URL at the database that belongs to this Kafka',
  );
}
