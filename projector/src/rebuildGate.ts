import type pg from 'pg';

/**
 * What keeps live batches and a rebuild's swap apart: a Postgres advisory lock per schema. Every
 * live batch takes it SHARED (batches of different partitions never wait for each other), first
 * in its transaction after a lock-free `set local`; the rebuild takes it EXCLUSIVE for its short
 * swap transaction, so the swap waits for the batches in flight to commit and new batches wait
 * for the swap, then write into the swapped-in tables. The projector never stops; it pauses for as long
 * as the swap's transaction lasts. Keyed by the schema, so tests in their own schemas never meet.
 */
const gateKey = `hashtext('ledger.read-models'), hashtext(current_schema())`;
/** A second rebuild of the same schema is refused rather than queued. */
const rebuildKey = `hashtext('ledger.read-model-rebuild'), hashtext(current_schema())`;

export async function enterBatchGate(client: pg.PoolClient): Promise<void> {
  await client.query(`select pg_advisory_xact_lock_shared(${gateKey})`);
}

export async function closeGateForSwap(client: pg.PoolClient): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(${gateKey})`);
}

/** Session-level: held by the rebuild's own connection from start to end. */
export async function tryClaimRebuild(client: pg.PoolClient): Promise<boolean> {
  const result = await client.query<{ claimed: boolean }>(
    `select pg_try_advisory_lock(${rebuildKey}) as claimed`,
  );
  return result.rows[0]?.claimed === true;
}

export async function releaseRebuild(client: pg.PoolClient): Promise<void> {
  await client.query(`select pg_advisory_unlock(${rebuildKey})`);
}
