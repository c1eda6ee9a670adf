import type { Admin, Consumer, Kafka } from 'kafkajs';
import { trace, type Context } from '@opentelemetry/api';
import {
  accountAttribute,
  kafkaFetchWaitMaxMs,
  kafkaMetadataMaxAgeMs,
  linkMessage,
  startProcessSpan,
  traceAttributes,
  type Logger,
  type ReadinessCheck,
} from '@ledger/runtime';
import { WireContractError, type BalanceChanged } from '@ledger/schemas';

/**
 * Consumes the compacted `ledger.balances` changelog into this instance. Every instance must see
 * every change (each holds its own cache), so each joins a consumer group of its own,
 * `${prefix}.query-api.${instanceId}`. Offsets are committed only so the group's lag can be
 * watched; the group is deleted on a clean stop so groups do not pile up in the broker.
 *
 * It starts at the head of the log, not its beginning. A cache that starts empty wants none of
 * the history (the replay only skipped it: 3.7M messages took ~18 s of CPU and 225 MiB RSS),
 * and the head is enough for convergence: `start()` reads each partition's end offset before it
 * returns, so before the server listens. A change below that offset was published after the
 * processor committed its account row (`accounts`, which a miss reads), so every load this
 * instance makes sees it or a newer version; every change at or above it is delivered.
 *
 * The feed keeps its own position per partition: that start offset, then one past the last
 * message it handled. It seeks there every time the consumer joins its group, the first time
 * and after any restart or rebalance, so neither kafkajs's "latest" (resolved at its first
 * fetch, possibly after loads began: a change in between would be missed for good) nor a lost
 * seek can skip a change. (A seek made once after run() was lost when the first join failed and
 * kafkajs restarted the consumer, which on a freshly formatted broker, whose group coordinator
 * was still loading, crashed the service at start.) Committed offsets only show the group's lag.
 * A partition added to the topic later has no start offset and is read from its beginning.
 *
 * Delivery is at least once and, across the projector's partitions, not in version order: the
 * cache and waiters keep the highest version, and the stream holds a version back until its
 * predecessor came (balanceStream.ts), so duplicates and stragglers are harmless.
 */
export interface ChangeFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ready once the consumer joined its group and got its partitions. */
  readonly readiness: ReadinessCheck;
}

export interface ChangeFeedHooks {
  undecodable(): void;
  /** A message not decoded: its key (the account) is not wanted here. */
  skipped(): void;
  /** Seconds from the change's updatedAt to it being applied here. */
  applied(lagSeconds: number): void;
}

export interface ChangeFeedDeps {
  readonly kafka: Kafka;
  /**
   * The service's connected admin client: the partitions' end offsets at start, and deleting
   * this instance's group on a clean stop.
   */
  readonly admin: Pick<Admin, 'fetchTopicOffsets' | 'deleteGroups'>;
  readonly topic: string;
  readonly groupId: string;
  readonly decode: (value: Buffer) => Promise<BalanceChanged>;
  /**
   * Whether the account a message is keyed by matters to this instance (QueryApp.wantsChange);
   * asked before decoding, so the bulk of the changelog costs no Avro decode nor garbage.
   */
  readonly wants: (accountId: string) => boolean;
  /**
   * The changes of one fetched batch that were wanted, in order, called inside the batch's
   * `process ledger.balances` span (QueryApp.applyChanges).
   */
  readonly onChanges: (changes: readonly BalanceChanged[], traceContext: Context) => void;
  readonly hooks: ChangeFeedHooks;
  readonly logger: Logger;
  readonly now: () => number;
  /** A consumer that cannot go on (crashed without restart, newer writer schema). */
  readonly onFatal: (error: unknown) => void;
  readonly sessionTimeoutMs: number;
}

/**
 * Bytes fetched per partition and request. The feed's steady state is a few hundred KB/s in all,
 * and at start-up the replay's fetched batches are what the heap holds: with the processor's
 * 1 MiB (fetchBytesPerPartitionMax) a 3.2M-message replay peaked at 549 MiB RSS and left the
 * heap reserved at that size (654 MiB RSS with 1M cached, by hand); with 128 KiB it peaked at
 * 250 MiB (567 MiB with 1M cached) and took 10 s instead of 8.
 */
export const changeFeedFetchBytesPerPartition = 131_072;

const tracer = trace.getTracer('query-api');

export function createChangeFeed(deps: ChangeFeedDeps): ChangeFeed {
  const { logger } = deps;
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: Math.floor(deps.sessionTimeoutMs / 10),
    maxBytesPerPartition: changeFeedFetchBytesPerPartition,
    allowAutoTopicCreation: false,
    metadataMaxAge: kafkaMetadataMaxAgeMs,
    maxWaitTimeInMs: kafkaFetchWaitMaxMs,
  });
  let joined = false;
  let stopping = false;
  /** Per partition: where this instance's feed begins (the end offsets read at start). */
  let startOffsets: readonly { partition: number; offset: string }[] = [];
  /** Per partition: the last message handled (applied or not wanted), as kafkajs gives offsets. */
  const lastHandled = new Map<number, string>();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    // Emitted once the group is synced, before the first fetch of this membership.
    for (const { partition, offset } of startOffsets) {
      const handled = lastHandled.get(partition);
      const resumeAt = handled === undefined ? offset : (BigInt(handled) + 1n).toString();
      consumer.seek({ topic: deps.topic, partition, offset: resumeAt });
    }
  });
  consumer.on(consumer.events.CRASH, (event) => {
    joined = false;
    if (!event.payload.restart && !stopping) deps.onFatal(event.payload.error);
  });

  async function decodeOne(value: Buffer): Promise<BalanceChanged | undefined> {
    try {
      return await deps.decode(value);
    } catch (error) {
      if (!(error instanceof WireContractError)) throw error; // registry down: retry the batch
      if (error.code === 'incompatible_schema') {
        // A newer writer than this reader: skipping would silently lose versions; stop instead
        // (schemas/README.md: consumers are upgraded before producers).
        deps.onFatal(error);
        throw error;
      }
      deps.hooks.undecodable();
      logger.error('skipping a balance change that breaks the wire contract', {
        code: error.code,
        error,
      });
      return undefined;
    }
  }

  return {
    async start() {
      await consumer.connect();
      const heads = await deps.admin.fetchTopicOffsets(deps.topic);
      startOffsets = heads.map(({ partition, high }) => ({ partition, offset: high }));
      await consumer.subscribe({ topic: deps.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          // Offsets are for lag monitoring only: resolved once per run of messages rather than
          // per message, which at start-up (millions of skipped messages) was most of the work.
          let done: string | undefined;
          const resolveDone = () => {
            if (done !== undefined) payload.resolveOffset(done);
            done = undefined;
          };
          // Wanted changes are applied together once the batch is read (or fails part-way: what
          // was decoded is applied, as its offsets may be resolved), under one span started at
          // the first of them: a batch of unwanted changes costs no span.
          const changes: BalanceChanged[] = [];
          let span: ReturnType<typeof startProcessSpan> | undefined;
          try {
            for (const message of batch.messages) {
              if (!payload.isRunning() || payload.isStale()) break;
              // A null value is a compaction tombstone; accounts are never deleted, nothing to do.
              // A message without a key breaks the contract (keyed by account): decoded and judged.
              const accountId = message.key?.toString('utf8');
              if (message.value !== null && accountId !== undefined && !deps.wants(accountId)) {
                deps.hooks.skipped();
              } else if (message.value !== null) {
                resolveDone();
                const change = await decodeOne(message.value);
                if (change !== undefined) {
                  changes.push(change);
                  span ??= startProcessSpan(tracer, deps.topic, {
                    [traceAttributes.partitionId]: String(batch.partition),
                  });
                  if (span.span.isRecording()) {
                    linkMessage(span.span, message.headers, {
                      [traceAttributes.accountId]: accountAttribute(change.accountId),
                      [traceAttributes.partitionId]: String(batch.partition),
                      [traceAttributes.kafkaOffset]: Number(message.offset),
                      'ledger.version': change.version,
                    });
                  }
                }
              }
              done = message.offset;
              lastHandled.set(batch.partition, message.offset);
            }
          } finally {
            if (span !== undefined) {
              const batchSpan = span;
              batchSpan.span.setAttribute(traceAttributes.batchMessageCount, changes.length);
              deps.onChanges(changes, batchSpan.context);
              batchSpan.span.end();
              const at = deps.now();
              for (const change of changes) {
                deps.hooks.applied(Math.max(0, at - change.updatedAt) / 1_000);
              }
            }
          }
          resolveDone();
          await payload.heartbeat();
        },
      });
    },

    async stop() {
      stopping = true;
      await consumer.disconnect();
      try {
        await deps.admin.deleteGroups([deps.groupId]);
      } catch (error) {
        logger.warn('could not delete this instance consumer group', {
          groupId: deps.groupId,
          error,
        });
      }
    },

    readiness: {
      name: 'change-feed',
      check: () =>
        joined
          ? Promise.resolve()
          : Promise.reject(new Error('the balances consumer has not joined its group')),
    },
  };
}
