import { assert, type PartitionRef } from '@ledger/runtime';
import { projectorOffsets } from './offsetStore.ts';
import type { LedgerEvent, LedgerSerde } from '@ledger/schemas';
import type { KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import { decodeEvents } from './eventDecoder.ts';
import { enterBatchGate } from './rebuildGate.ts';
import { projectEvents, type ReadModelChanges } from './readModelProjection.ts';
import { writeReadModels } from './readModelStore.ts';
import { liveTables } from './readModelTables.ts';

export interface PartitionBatchDeps {
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly topic: string;
  readonly consumerGroup: string;
}

export type PartitionBatchResult =
  /** Committed: the read models have consumed the whole slice. */
  | {
      readonly kind: 'committed';
      readonly events: readonly LedgerEvent[];
      readonly changes: ReadModelChanges;
      readonly committedAtMs: number;
    }
  /**
   * Nothing written: the stored offset is not where this slice starts. Behind it (redelivery
   * after a crash or rebalance, or a rebuild that consumed further): the slice, or part of it, is
   * already applied. Ahead of it (Kafka delivered past the stored offset): seek back. The caller
   * seeks to `nextOffset` in both cases unless it is just past the slice.
   */
  | { readonly kind: 'skip'; readonly nextOffset: bigint };

/**
 * One slice of one partition's batch in ONE transaction: enter the rebuild gate, lock the stored
 * offset, project the events the offset does not cover yet, write every read model with
 * multi-row statements, compare-and-set the offset, commit. Decoding happens before the transaction opens, so it never holds locks while waiting
 * on the schema registry. Nothing is published here.
 */
export async function processPartitionBatch(
  deps: PartitionBatchDeps,
  partition: number,
  messages: readonly KafkaMessage[],
  now: () => number,
): Promise<PartitionBatchResult> {
  const first = messages[0];
  const last = messages.at(-1);
  assert(first !== undefined && last !== undefined, 'empty batch');
  const firstOffset = BigInt(first.offset);
  const lastOffset = BigInt(last.offset);
  const ref: PartitionRef = { consumerGroup: deps.consumerGroup, topic: deps.topic, partition };
  const decoded = await decodeEvents(deps.serde, partition, messages);
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    // Commit without waiting for the WAL flush: one fsync wait less per projector transaction.
    // Safe for the projector's batches only: the offset commits with the read-model rows and WAL
    // is replayed in order, so a Postgres crash can only lose a tail of whole batches, which are
    // projected again from ledger.events. The processor's ledger transactions stay durable; each of their commits flushes earlier ones.
    await client.query('set local synchronous_commit = off');
    await enterBatchGate(client);
    const stored = await projectorOffsets.lockNext(client, ref, firstOffset);
    if (stored > lastOffset || stored < firstOffset) {
      await client.query('rollback');
      return { kind: 'skip', nextOffset: stored };
    }
    const events = decoded.filter((_, index) => BigInt(messages[index]?.offset ?? -1) >= stored);
    const changes = projectEvents(events);
    await writeReadModels(client, liveTables, changes);
    await projectorOffsets.advance(client, ref, stored, lastOffset + 1n);
    await client.query('commit');
    return { kind: 'committed', events, changes, committedAtMs: now() };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
