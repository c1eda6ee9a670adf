import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import {
  assert,
  endSpanWithError,
  offsetTable,
  traceparentOf,
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
  type DomainCommand,
} from './domain/index.ts';
import { loadSnapshot, writeDecision, type OutboxEntry, type OutboxRow } from './ledgerStore.ts';
import { batchBalances } from './balanceMessages.ts';
import { linkEvent, loadChainHeads, saveChainHeads } from './eventChainHeads.ts';
import { eventToWire } from './wireMapping.ts';

export interface GroupTransactionDeps {
  readonly pool: pg.Pool;
  readonly serde: LedgerSerde;
  readonly topics: TopicNames;
  readonly consumerGroup: string;
  /** This processor instance, recorded with each offset it stores. */
  readonly owner: string;
  readonly now: () => number;
  readonly nextEventId: () => string;
  /** Seconds spent in each step of the transaction, for the phase histogram. */
  readonly observePhase: (phase: TransactionPhase, seconds: number) => void;
}

export type TransactionPhase =
  'lock_offsets' | 'snapshot' | 'decide' | 'chain' | 'write' | 'commit';

const tracer = trace.getTracer('ledger-processor');

/** Consecutive messages of one `ledger.commands` partition, ascending by offset. */
export interface PartitionSlice {
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
}

/** A slice decoded ahead of its transaction (decoding needs no lock and no database). */
export interface DecodedSlice {
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly messages: readonly DecodedMessage[];
}

export type SliceResult =
  /** Committed: the ledger has consumed the partition up to `nextOffset` (exclusive). */
  | { readonly kind: 'committed'; readonly nextOffset: bigint }
  /** Every message was applied by an earlier transaction (redelivery after a crash/rebalance). */
  | { readonly kind: 'already_applied'; readonly nextOffset: bigint }
  /** Kafka delivered from past the stored offset: seek back there, nothing was written. */
  | { readonly kind: 'seek'; readonly nextOffset: bigint };

export interface GroupResult {
  /** One per slice, in the order the slices were given. */
  readonly slices: readonly SliceResult[];
  /** What was committed; undefined when no slice had anything new. */
  readonly decision: BatchDecision | undefined;
  readonly outbox: readonly OutboxRow[];
  readonly deadLetters: number;
}

export async function decodeSlice(
  deps: Pick<GroupTransactionDeps, 'serde' | 'topics' | 'now'>,
  slice: PartitionSlice,
): Promise<DecodedSlice> {
  const first = slice.messages[0];
  const last = slice.messages.at(-1);
  assert(first !== undefined && last !== undefined, 'empty slice');
  const context = { serde: deps.serde, topics: deps.topics, partition: slice.partition };
  const nowMs = deps.now();
  const messages: DecodedMessage[] = [];
  for (const message of slice.messages) {
    messages.push(await decodeCommandMessage(message, { ...context, nowMs }));
  }
  return {
    partition: slice.partition,
    firstOffset: BigInt(first.offset),
    lastOffset: BigInt(last.offset),
    messages,
  };
}

/**
 * Decides and writes the slices of several partitions in ONE transaction (batches in three steps,
 * group-committed: docs/architecture.md "The write path"): lock each partition's stored offset
 * (ascending partition, so two instances overlapping during a rebalance cannot deadlock), skip what
 * it already covers, prefetch every touched account under row locks in id order, decide all
 * commands in memory (each partition's in its Kafka order), write all rows with multi-row
 * statements, compare-and-set each offset, commit. One instance never runs two of these at once, so
 * its own batches never queue on each other's account locks, however many partitions it owns.
 * Nothing is published here: the caller hands the committed outbox rows to the relay.
 *
 * Tracing: under `traceContext`, the batch's `process` span (processor.ts), it adds
 * `ledger.decide` and `ledger.commit` spans, and every outbox row (events, dead letters) stores
 * the batch span's traceparent, so the relay's `send` spans are its children, after a crash too.
 */
export async function commitGroup(
  deps: GroupTransactionDeps,
  slices: readonly DecodedSlice[],
  traceContext: Context = ROOT_CONTEXT,
): Promise<GroupResult> {
  assert(slices.length > 0, 'empty group');
  const order = slices
    .map((slice, index) => ({ slice, index }))
    .sort((a, b) => a.slice.partition - b.slice.partition);
  for (let i = 1; i < order.length; i += 1) {
    assert(
      order[i - 1]?.slice.partition !== order[i]?.slice.partition,
      'a partition appears twice in one group',
    );
  }
  const results: SliceResult[] = new Array<SliceResult>(slices.length);
  const offsets = offsetTable('consumer_offsets', deps.owner);
  const refOf = (partition: number): PartitionRef => ({
    consumerGroup: deps.consumerGroup,
    topic: deps.topics.commands,
    partition,
  });
  const phase = phaseClock(deps.observePhase);
  /** The decide or commit span while it runs, ended as failed if the transaction throws. */
  let phaseSpan: Span | undefined;
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const fresh: { slice: DecodedSlice; stored: bigint }[] = [];
    for (const { slice, index } of order) {
      const stored = await offsets.lockNext(client, refOf(slice.partition), slice.firstOffset);
      if (stored > slice.lastOffset)
        results[index] = { kind: 'already_applied', nextOffset: stored };
      else if (stored < slice.firstOffset) results[index] = { kind: 'seek', nextOffset: stored };
      else {
        results[index] = { kind: 'committed', nextOffset: slice.lastOffset + 1n };
        fresh.push({ slice, stored });
      }
    }
    phase('lock_offsets');
    if (fresh.length === 0) {
      await client.query('rollback');
      return { slices: results, decision: undefined, outbox: [], deadLetters: 0 };
    }
    const commands: DomainCommand[] = [];
    const batchTraceparent = traceparentOf(traceContext);
    const headers: Readonly<Record<string, string>> =
      batchTraceparent === undefined ? {} : { traceparent: batchTraceparent };
    // Per command: the partition its events are published for.
    const sources = new Map<string, number>();
    const deadLetters: OutboxEntry[] = [];
    for (const { slice, stored } of fresh) {
      for (const item of slice.messages) {
        if (item.offset < stored) continue;
        if (item.kind === 'dead') {
          const { deadLetter } = item;
          deadLetters.push({
            ...deadLetter,
            headers: { ...deadLetter.headers, ...headers },
            commandPartition: slice.partition,
          });
          continue;
        }
        commands.push(item.command);
        sources.set(item.command.commandId, slice.partition);
      }
    }
    const snapshot = await loadSnapshot(client, snapshotKeys(commands));
    phase('snapshot');
    const decideSpan = tracer.startSpan(
      'ledger.decide',
      { attributes: { 'ledger.commands': commands.length } },
      traceContext,
    );
    phaseSpan = decideSpan;
    const decision = decideBatch({
      commands,
      snapshot,
      nowMs: deps.now(),
      nextEventId: deps.nextEventId,
    });
    phase('decide');
    // Each event is the next link of its command partition's hash chain (eventChainHeads.ts).
    const partitionOf = (commandId: string): number => {
      const partition = sources.get(commandId);
      assert(partition !== undefined, 'an event of a command not in the group');
      return partition;
    };
    const chains = [...new Set(decision.events.map((event) => partitionOf(event.commandId)))];
    const heads = await loadChainHeads(
      client,
      deps.topics.events,
      chains.sort((a, b) => a - b),
    );
    // Each event's balances with the account's revision, a change's from the state it found.
    const balancesOf = batchBalances(snapshot.accounts);
    const events: OutboxEntry[] = decision.events.map((event) => {
      const partition = partitionOf(event.commandId);
      const wireEvent = linkEvent(heads, partition, eventToWire(event));
      return {
        commandPartition: partition,
        topic: deps.topics.events,
        key: eventKey(event),
        eventId: event.eventId,
        eventType: event.type,
        headers,
        value: deps.serde.encodeEvent(wireEvent),
        balances: balancesOf(wireEvent),
      };
    });
    phase('chain');
    decideSpan.setAttribute('ledger.events', events.length);
    decideSpan.end();
    const commitSpan = tracer.startSpan(
      'ledger.commit',
      { attributes: { 'db.system.name': 'postgresql', 'ledger.outbox_rows': events.length } },
      traceContext,
    );
    phaseSpan = commitSpan;
    const outbox = await writeDecision(client, decision, [...events, ...deadLetters]);
    await saveChainHeads(client, deps.topics.events, heads);
    for (const { slice, stored } of fresh) {
      await offsets.advance(client, refOf(slice.partition), stored, slice.lastOffset + 1n);
    }
    phase('write');
    await client.query('commit');
    phaseSpan = undefined;
    commitSpan.end();
    phase('commit');
    return { slices: results, decision, outbox, deadLetters: deadLetters.length };
  } catch (error) {
    if (phaseSpan !== undefined) endSpanWithError(phaseSpan, error);
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Reports the seconds since the previous call (or creation) under the phase just finished. */
function phaseClock(
  observe: (phase: TransactionPhase, seconds: number) => void,
): (phase: TransactionPhase) => void {
  let last = process.hrtime.bigint();
  return (phase) => {
    const now = process.hrtime.bigint();
    observe(phase, Number(now - last) / 1e9);
    last = now;
  };
}
