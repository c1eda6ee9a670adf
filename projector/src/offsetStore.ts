import { offsetTable } from '@ledger/runtime';
import type pg from 'pg';

/** The projector's consumed offsets (runtime/offsetTable.ts), plus the rebuild's replacement. */
export const projectorOffsets = offsetTable('projector_offsets');

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
