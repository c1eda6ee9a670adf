import { assert } from '@ledger/runtime';
import { nextChainLink, type ChainLink, type LedgerEvent } from '@ledger/schemas';
import type pg from 'pg';

/**
 * The events topic's hash chains as the processor extends them (schemas/src/eventChain.ts): one
 * per `ledger.commands` partition, linked in decision order inside the batch's transaction, the
 * heads stored with it (infra/migrations 0016). Callers hold the partitions' offset locks, so no
 * other transaction extends these chains meanwhile; the row lock here only makes that explicit.
 */
export interface ChainHead {
  readonly sequence: number;
  readonly hash: string;
}

export async function loadChainHeads(
  client: pg.PoolClient,
  topic: string,
  chains: readonly number[],
): Promise<Map<number, ChainHead>> {
  const heads = new Map<number, ChainHead>();
  if (chains.length === 0) return heads;
  const { rows } = await client.query<{ chain: number; sequence: string; hash: string }>(
    `select chain, sequence::text as sequence, hash from event_chain_heads
      where topic = $1 and chain = any($2::int[]) order by chain for update`,
    [topic, chains],
  );
  for (const row of rows) heads.set(row.chain, { sequence: Number(row.sequence), hash: row.hash });
  return heads;
}

/**
 * Links `event` as the next event of `chain`, moving `heads` on. Events must be linked in the
 * order they are published within their chain: the outbox's id order, which is decision order.
 */
export function linkEvent(
  heads: Map<number, ChainHead>,
  chain: number,
  event: LedgerEvent,
): LedgerEvent {
  const link: ChainLink = nextChainLink(chain, heads.get(chain), event);
  assert(Number.isSafeInteger(link.sequence), `chain ${chain} ran out of sequence numbers`);
  heads.set(chain, { sequence: link.sequence, hash: link.hash });
  return { ...event, chain: link };
}

/** Stores the heads the batch moved to; each may only move forward. */
export async function saveChainHeads(
  client: pg.PoolClient,
  topic: string,
  heads: ReadonlyMap<number, ChainHead>,
): Promise<void> {
  if (heads.size === 0) return;
  const chains = [...heads.keys()];
  const result = await client.query(
    `insert into event_chain_heads (topic, chain, sequence, hash)
     select $1, * from unnest($2::int[], $3::bigint[], $4::text[])
     on conflict (topic, chain) do update set sequence = excluded.sequence, hash = excluded.hash
      where event_chain_heads.sequence < excluded.sequence`,
    [
      topic,
      chains,
      chains.map((chain) => String(heads.get(chain)?.sequence)),
      chains.map((chain) => heads.get(chain)?.hash),
    ],
  );
  assert(result.rowCount === chains.length, 'a chain head did not move forward');
}
