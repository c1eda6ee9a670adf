import { trace, type Context } from '@opentelemetry/api';
import {
  assert,
  contextOfHeaders,
  endSpanWithError,
  isKafkaUnavailable,
  linkToTraceparent,
  startSendSpan,
  traceAttributes,
  type TraceSpan,
  isPostgresUnavailable,
  waitForDependency,
  type Logger,
  type SendBatch,
} from '@ledger/runtime';
import type { BalanceChanged, LedgerSerde } from '@ledger/schemas';
import type { Message } from 'kafkajs';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import type { OutboxRow } from './ledgerStore.ts';
import {
  balanceCatchUpRoundsMax,
  createQueuedBalances,
  loadChangedBalance,
  loadNewerBalances,
  newestPerAccount,
} from './balanceCatchUp.ts';
import { balanceChangesOf, balanceEventTypes, balanceMessage } from './balanceMessages.ts';
import { advancePublishedPositionSql, unpublishedRowsSql } from './outboxPosition.ts';

const tracer = trace.getTracer('ledger-processor');

/** Rows past the position read per round when draining what a crash or a former owner left. */
export const outboxDrainBatchMax = 1_000;
/**
 * Rows and bytes per sendBatch. A group transaction commits up to 5000 commands' events for one
 * command partition; sent as one request they were refused by the broker as too large (found by
 * the full bench while seeding 1M accounts), which crashed the processor on every restart.
 */
export const outboxPublishRowsMax = 1_000;
export const outboxPublishBytesMax = 512 * 1024;
/** Publishes waiting in the relay's one queue before the consumers wait too. */
export const outboxQueuedBatchesMax = 8;
/**
 * Rows one publish gathers: committed batches that arrive while the previous publish runs join
 * the next one (one produce request, one position statement per partition), up to this many.
 */
export const outboxGatheredRowsMax = 20_000;
/**
 * How long one publish or drain is retried while Kafka or Postgres is unreachable (a broker or
 * Postgres restart) before the relay stops and the processor restarts. The queue waits meanwhile,
 * in order, and the consumers wait on it: nothing later overtakes what could not be sent.
 */
export const outboxOutageRetryMs = 5 * 60_000;

export interface OutboxRelay {
  /** Publishes a committed batch's rows (any partitions) after everything committed before. */
  enqueue(rows: readonly OutboxRow[]): void;
  /** Republishes the rows past the partition's position (crash, rebalance), ahead of new batches. */
  drainUnsent(partition: number): Promise<void>;
  /** Resolves when the queue is short enough to take another batch (any partition's). */
  ready(): Promise<void>;
  /** Resolves when everything queued so far is published (shutdown, tests). */
  idle(): Promise<void>;
  /** Publishes and drains queued or running: the sweep drains only when none is. */
  queued(): number;
  /** Throws while a publish waits for Kafka or Postgres to come back: for `/readyz`. */
  checkFlowing(): void;
}

interface PublishQueue {
  tail: Promise<void>;
  queued: number;
  failure: OutboxRelayFailure | undefined;
}

/**
 * The relay's queue stopped by a failed publish or drain. Retrying in-process cannot help (the
 * queue stays stopped to keep the order), so the processor treats it as fatal and restarts.
 */
export class OutboxRelayFailure extends Error {
  override readonly name = 'OutboxRelayFailure';
  constructor(
    readonly partitions: readonly number[],
    cause: unknown,
  ) {
    const which = `partition${partitions.length === 1 ? '' : 's'} ${partitions.join(', ')}`;
    // The logger prints message and stack only, so the cause's message is carried here too.
    super(
      `outbox relay for ${which} stopped: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Publishes `ledger.events` from the transactional outbox with the balances they carry, in commit
 * order (outbox id order within each command partition), then advances the partition's published
 * position (outboxPosition.ts) to the last id Kafka acknowledged: one row per partition instead
 * of a write per event. A crash between publish and position republishes identical bytes (the
 * payload was encoded before commit): consumers recognise the duplicate by event id and version.
 * A publish that keeps failing after kafkajs' bounded retries stops the queue, and `ready`
 * surfaces it to the consumer as an OutboxRelayFailure, which stops the processor (onFatal) so it
 * restarts and drains from the positions again — nothing is dropped.
 */
export function createOutboxRelay(deps: {
  producer: { sendBatch: SendBatch };
  pool: pg.Pool;
  /** Encodes the balances changelog; decodes a drained event to derive its balances. */
  serde: Pick<LedgerSerde, 'encodeBalance' | 'decodeEvent'>;
  balancesTopic: string;
  logger: Logger;
  published: Counter;
}): OutboxRelay {
  // ONE queue for every partition, in commit order (record() enqueues as each group transaction
  // commits; drains on assignment come first). An account's versions are decided in several
  // partitions (a credit in the debtor's), so per-partition queues could publish its v+1 before
  // its v, and compaction would keep v. Batches committed while a publish runs are gathered into
  // the next one, so a busy instance sends few, large produce requests.
  const queue: PublishQueue = { tail: Promise.resolve(), queued: 0, failure: undefined };
  const queuedBalances = createQueuedBalances();
  /** The next publish's rows while it waits its turn; undefined once it has started. */
  let gathering: OutboxRow[] | undefined;
  /** Set while the running publish waits out an outage: why it last failed. */
  let stalled: string | undefined;

  /** Runs one publish or drain, again while what failed it was an outage, not the data. */
  function outlastingOutages(work: () => Promise<void>): Promise<void> {
    return waitForDependency(
      'kafka or postgres (outbox relay)',
      async () => {
        try {
          await work();
          stalled = undefined;
        } catch (error) {
          stalled = error instanceof Error ? error.message : String(error);
          throw error;
        }
      },
      {
        logger: deps.logger,
        isUnavailable: (error) => isKafkaUnavailable(error) || isPostgresUnavailable(error),
        waitMs: outboxOutageRetryMs,
      },
    );
  }

  /** Publishes chunk after chunk; answers the partitions whose position could not move (a gap). */
  async function publish(rows: readonly OutboxRow[]): Promise<Set<number>> {
    const gaps = new Set<number>();
    for (const chunk of publishChunks(rows)) {
      for (const partition of await publishChunk(chunk)) gaps.add(partition);
    }
    return gaps;
  }

  /**
   * One produce request: a `send` span per topic it writes (events, balances, dead letters), each
   * a child of the batch span whose traceparent the first row stored (linked to the others'),
   * and each message carries its topic's span as traceparent, written by the propagator.
   */
  async function publishChunk(rows: readonly OutboxRow[]): Promise<number[]> {
    const firstTraceparent = rows[0]?.headers.traceparent;
    const parent = contextOfHeaders(rows[0]?.headers);
    const sends = new Map<string, TraceSpan>();
    const sendOf = (topic: string): TraceSpan => {
      let send = sends.get(topic);
      if (send === undefined) {
        send = startSendSpan(tracer, topic, parent);
        sends.set(topic, send);
      }
      return send;
    };
    const byTopic = new Map<string, Message[]>();
    const add = (topic: string, message: Message) => {
      const messages = byTopic.get(topic);
      if (messages === undefined) byTopic.set(topic, [message]);
      else messages.push(message);
    };
    const balances: BalanceChanged[] = [];
    /** Batches other than the first whose rows this chunk carries (a gathered publish). */
    const otherBatches = new Set<string>();
    try {
      for (const row of rows) {
        const stored = row.headers.traceparent;
        if (stored !== undefined && stored !== firstTraceparent) {
          otherBatches.add(stored);
        }
        const headers: Record<string, string> = {
          ...row.headers,
          'event-id': row.eventId,
          'event-type': row.eventType,
        };
        const { traceparent } = sendOf(row.topic);
        if (traceparent !== undefined) headers.traceparent = traceparent;
        add(row.topic, { key: row.key, value: row.value, headers });
        if (!balanceEventTypes.has(row.eventType)) continue;
        // In memory after a commit; derived from the committed bytes on a drain.
        const changes = row.balances ?? (await drainedBalances(row));
        const { traceparent: balancesTraceparent } = sendOf(deps.balancesTopic);
        for (const change of changes) {
          add(deps.balancesTopic, balanceMessage(deps.serde, change, balancesTraceparent));
          balances.push(change);
        }
      }
      await deps.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      for (const send of sends.values()) endSpanWithError(send.span, error);
      throw error;
    }
    for (const [topic, send] of sends) {
      if (send.span.isRecording()) {
        send.span.setAttribute(traceAttributes.batchMessageCount, byTopic.get(topic)?.length ?? 0);
        for (const other of otherBatches) {
          const link = linkToTraceparent(other);
          if (link !== undefined) send.span.addLink(link);
        }
      }
      send.span.end();
    }
    deps.published.inc(rows.length);
    queuedBalances.published(balances);
    await catchUpBalances(balances, parent);
    // Each partition's rows are in id order: its position moves to the last one acknowledged.
    const spans = new Map<number, { first: string; last: string }>();
    for (const row of rows) {
      const span = spans.get(row.commandPartition);
      if (span === undefined) spans.set(row.commandPartition, { first: row.id, last: row.id });
      else span.last = row.id;
    }
    const gaps = await Promise.all(
      [...spans].map(async ([partition, { first, last }]) => {
        const advanced = await deps.pool.query<{ gap: boolean }>(advancePublishedPositionSql, [
          partition,
          first,
          last,
        ]);
        return advanced.rows[0]?.gap === true ? [partition] : [];
      }),
    );
    return gaps.flat();
  }

  /**
   * The balances of an outbox row read back without them: from its event, but for an account
   * change, whose event states no balance: that is read from the ledger at its version.
   */
  async function drainedBalances(row: OutboxRow): Promise<BalanceChanged[]> {
    const event = await deps.serde.decodeEvent(row.value);
    if (event.payload.type !== 'AccountChanged') return balanceChangesOf(event);
    return [await loadChangedBalance(deps.pool, { ...event, payload: event.payload })];
  }

  /** Republishes the newest balance of accounts another writer moved past what we sent. */
  async function catchUpBalances(sent: readonly BalanceChanged[], parent: Context): Promise<void> {
    let pending = newestPerAccount(sent);
    for (let round = 0; round < balanceCatchUpRoundsMax && pending.length > 0; round += 1) {
      const newer = (await loadNewerBalances(deps.pool, pending)).filter(
        (change) => !queuedBalances.covers(change),
      );
      if (newer.length === 0) return;
      const send = startSendSpan(tracer, deps.balancesTopic, parent, newer.length);
      send.span.setAttribute('ledger.balance_catch_up', true);
      try {
        await deps.producer.sendBatch({
          acks: -1,
          topicMessages: [
            {
              topic: deps.balancesTopic,
              messages: newer.map((change) => balanceMessage(deps.serde, change, send.traceparent)),
            },
          ],
        });
      } catch (error) {
        endSpanWithError(send.span, error);
        throw error;
      }
      send.span.end();
      pending = newer;
    }
  }

  /** Publishes the rows past the position until none is left. */
  async function drain(partition: number): Promise<void> {
    for (;;) {
      const result = await deps.pool.query<OutboxDbRow>(unpublishedRowsSql, [
        partition,
        outboxDrainBatchMax,
      ]);
      if (result.rows.length === 0) return;
      deps.logger.info('republishing outbox rows past the published position', {
        partition,
        rows: result.rows.length,
      });
      const gaps = await publish(result.rows.map(fromDb(partition)));
      // Read from the position on, in id order: nothing unpublished can lie before these rows.
      assert(gaps.size === 0, `outbox drain of partition ${partition} found a gap`);
    }
  }

  /** `partitions` names what failed, asked only on a failure (a gathering grows until it runs). */
  function chain(partitions: () => number[], work: () => Promise<void>): Promise<void> {
    queue.queued += 1;
    const next = queue.tail
      .then(() => {
        // A failed publish poisons the queue until the process restarts and drains Postgres:
        // publishing later rows first would break the partitions' and the accounts' order.
        if (queue.failure !== undefined) throw queue.failure;
        // A retry republishes what the failed attempt may have sent: consumers drop the
        // duplicates by event id and version, as after a crash.
        return outlastingOutages(work);
      })
      .catch((error: unknown) => {
        queue.failure ??= new OutboxRelayFailure(partitions(), error);
        throw queue.failure;
      })
      .finally(() => {
        queue.queued -= 1;
      });
    queue.tail = next.catch(() => undefined);
    return next;
  }

  return {
    enqueue(rows) {
      for (const row of rows) if (row.balances) queuedBalances.enqueued(row.balances);
      if (gathering !== undefined && gathering.length + rows.length <= outboxGatheredRowsMax) {
        for (const row of rows) gathering.push(row);
        return;
      }
      const group = [...rows];
      gathering = group;
      const partitions = () => [...new Set(group.map((row) => row.commandPartition))];
      chain(partitions, async () => {
        if (gathering === group) gathering = undefined;
        for (const partition of await publish(group)) {
          // A former owner committed rows after this member's drain and never published them
          // (see advancePublishedPositionSql): publish from the position, this batch again too.
          deps.logger.warn('outbox rows before a published batch were unpublished: draining', {
            partition,
          });
          await drain(partition);
        }
      }).catch((error: unknown) =>
        deps.logger.error('outbox publish failed', { partitions: partitions(), error }),
      );
    },
    drainUnsent(partition) {
      return chain(
        () => [partition],
        () => drain(partition),
      );
    },
    async ready() {
      while (queue.queued >= outboxQueuedBatchesMax && queue.failure === undefined) {
        await queue.tail;
      }
      if (queue.failure !== undefined) throw queue.failure;
    },
    async idle() {
      await queue.tail;
      if (queue.failure !== undefined) throw queue.failure;
    },
    queued: () => queue.queued,
    checkFlowing() {
      if (queue.failure !== undefined) throw queue.failure;
      if (stalled !== undefined) {
        throw new Error(`outbox publishing waits for a dependency: ${stalled}`);
      }
    },
  };
}

interface OutboxDbRow {
  id: string;
  topic: string;
  partition_key: string;
  event_id: string;
  event_type: string;
  headers: Record<string, string>;
  payload: Buffer;
}

const fromDb =
  (partition: number) =>
  (row: OutboxDbRow): OutboxRow => ({
    id: row.id,
    commandPartition: partition,
    topic: row.topic,
    key: row.partition_key,
    eventId: row.event_id,
    eventType: row.event_type,
    headers: row.headers,
    value: row.payload,
  });

/** Consecutive runs of rows within outboxPublishRowsMax and outboxPublishBytesMax (≥ 1 row each). */
export function publishChunks(rows: readonly OutboxRow[]): OutboxRow[][] {
  const chunks: OutboxRow[][] = [];
  let current: OutboxRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = rowBytes(row);
    if (
      current.length > 0 &&
      (current.length >= outboxPublishRowsMax || bytes + size > outboxPublishBytesMax)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function rowBytes(row: OutboxRow): number {
  let size =
    row.value.length + Buffer.byteLength(row.key) + row.eventId.length + row.eventType.length;
  for (const [name, value] of Object.entries(row.headers)) size += name.length + value.length;
  return size;
}
