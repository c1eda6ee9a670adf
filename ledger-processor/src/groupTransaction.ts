import {
  assert,
  offsetTable,
  type Logger,
  type PartitionRef,
  type TopicNames,
} from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import { decodeCommandMessage, type DecodedMessage } from './commandDecoder.ts';
import {
  decideBatch,
  eventKey,
  snapshotKeys,
  type BatchDecision,
  type LedgerCommand,
} from './domain/index.ts';
import { loadSnapshot, writeDecision, type OutboxMessage, type OutboxRow } from './ledgerStore.ts';
import { eventToWire } from './wireMapping.ts';

export interface PartitionBatchDeps {
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly topics: TopicNames;
  readonly consumerGroup: string;
  /** This processor instance, recorded with each offset it stores. */
  readonly owner: string;
  readonly logger: Logger;
  readonly now: () => number;
  readonly nextEventId: () => string;
}

export type PartitionBatchResult =
  /** Committed: the ledger has consumed up to `nextOffset` (exclusive). */
  | {
      readonly kind: 'committed';
      readonly nextOffset: bigint;
      readonly decision: BatchDecision;
      readonly outbox: readonly OutboxRow[];
      readonly deadLetters: number;
    }
  /** Every message was applied by an earlier transaction (redelivery after a crash/rebalance). */
  | { readonly kind: 'already_applied'; readonly nextOffset: bigint }
  /** Kafka delivered from past the stored offset: seek back there, nothing was written. */
  | { readonly kind: 'seek'; readonly nextOffset: bigint };

/**
 * One slice of one partition's batch, decided and written in ONE transaction (STYLE.md "Batch in
 * three steps"): lock the stored offset, skip what it already covers, prefetch every touched
 * account under row locks in id order, decide in memory, write all rows with multi-row
 * statements, compare-and-set the offset, commit. Nothing is published here; the caller hands
 * the committed outbox rows to the relay and the outcomes to the notifier.
 */
export async function processPartitionBatch(
  deps: PartitionBatchDeps,
  partition: number,
  messages: readonly KafkaMessage[],
): Promise<PartitionBatchResult> {
  const first = messages[0];
  const last = messages.at(-1);
  assert(first !== undefined && last !== undefined, 'empty batch');
  const firstOffset = BigInt(first.offset);
  const lastOffset = BigInt(last.offset);
  const ref: PartitionRef = {
    consumerGroup: deps.consumerGroup,
    topic: deps.topics.commands,
    partition,
  };
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const offsets = offsetTable('consumer_offsets', deps.owner);
    const stored = await offsets.lockNext(client, ref, firstOffset);
    if (stored > lastOffset) {
      await client.query('rollback');
      return { kind: 'already_applied', nextOffset: stored };
    }
    if (stored < firstOffset) {
      await client.query('rollback');
      return { kind: 'seek', nextOffset: stored };
    }
    const nowMs = deps.now();
    const fresh = messages.filter((message) => BigInt(message.offset) >= stored);
    const decoded: DecodedMessage[] = [];
    for (const message of fresh) {
      decoded.push(
        await decodeCommandMessage(message, {
          serde: deps.serde,
          topics: deps.topics,
          partition,
          nowMs,
        }),
      );
    }
    const commands: LedgerCommand[] = [];
    const traceparents = new Map<string, string>();
    const deadLetters: OutboxMessage[] = [];
    for (const item of decoded) {
      if (item.kind === 'dead') {
        deadLetters.push(item.deadLetter);
        continue;
      }
      commands.push(item.command);
      if (item.traceparent !== undefined)
        traceparents.set(item.command.commandId, item.traceparent);
    }
    const snapshot = await loadSnapshot(client, snapshotKeys(commands));
    const decision = decideBatch({ commands, snapshot, nowMs, nextEventId: deps.nextEventId });
    const events: OutboxMessage[] = decision.events.map((event) => {
      const traceparent = traceparents.get(event.commandId);
      const headers: Record<string, string> = traceparent === undefined ? {} : { traceparent };
      return {
        topic: deps.topics.events,
        key: eventKey(event),
        eventId: event.eventId,
        eventType: event.type,
        headers,
        value: deps.serde.encodeEvent(eventToWire(event)),
      };
    });
    const outbox = await writeDecision(client, decision, [...events, ...deadLetters], partition);
    await offsets.advance(client, ref, stored, lastOffset + 1n);
    await client.query('commit');
    return {
      kind: 'committed',
      nextOffset: lastOffset + 1n,
      decision,
      outbox,
      deadLetters: deadLetters.length,
    };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
