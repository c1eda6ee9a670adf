import { randomUUID } from 'node:crypto';
import {
  assert,
  createKafkaClient,
  createPostgresPool,
  topicNames,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde } from '@ledger/schemas';
import type { ProjectorConfig } from '../config.ts';
import { liveTables, rebuildTables, type ReadModelTables } from '../readModelTables.ts';
import { tryClaimRebuild, releaseRebuild } from '../rebuildGate.ts';
import { createEventReplay, type EventReplay } from './eventReplay.ts';
import { createFreshTables } from './rebuildTables.ts';
import { swapIntoPlace, type SwapLimits } from './swapIntoPlace.ts';

/** How often progress is reported while the replay runs. */
export const rebuildProgressIntervalMs = 1_000;

export interface RebuildProgress {
  readonly phase: 'replay' | 'catch-up' | 'swap';
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly partitionsDone: number;
  readonly partitions: number;
}

export interface RebuildOptions {
  readonly config: ProjectorConfig;
  readonly logger: Logger;
  /** False: leave the rebuilt tables beside the live ones (to compare), change nothing live. */
  readonly swap: boolean;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly limits?: Partial<SwapLimits>;
}

export interface RebuildReport {
  readonly events: number;
  /** Next offset per partition the rebuilt tables cover (and, if swapped, the live group's). */
  readonly offsets: ReadonlyMap<number, bigint>;
  readonly swapped: boolean;
  /** Where the rebuilt read models are: the live names if swapped, else the rebuild names. */
  readonly tables: ReadModelTables;
  readonly durationMs: number;
}

/**
 * Invariant 5 (docs/architecture.md) as a command: replays `ledger.events` from the beginning into fresh
 * tables, up to the end offsets it saw when it started, then (with `swap`) renames them into
 * place in one transaction and sets the live projector's stored offsets to what it consumed.
 * Readers never see an empty or half-built model; the live projector keeps running and only waits
 * for the swap's transaction (swapIntoPlace.ts). One rebuild per schema at a time.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildReport> {
  const { config, logger } = options;
  const startedAt = Date.now();
  const topics = topicNames(config.stack.topicPrefix);
  const partitionsConcurrent = config.projector.partitionsConcurrent;
  const pool = createPostgresPool({
    connectionString: config.stack.postgresUrl,
    schema: config.postgresSchema,
    // The replay's partitions, the swap's transaction, the session holding the rebuild claim.
    max: partitionsConcurrent + 2,
    applicationName: 'projector-rebuild',
  });
  const kafka = createKafkaClient({
    clientId: 'projector-rebuild',
    brokers: config.stack.kafkaBrokers,
    logger,
  });
  const claim = await pool.connect();
  let replay: EventReplay | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (!(await tryClaimRebuild(claim))) {
      throw new Error(`a rebuild of schema ${config.postgresSchema} is already running`);
    }
    await createFreshTables(claim, liveTables, rebuildTables);
    const ends = await endOffsets(kafka, topics.events);
    const serde = await connectLedgerSerde({
      registryUrl: config.stack.registryUrl,
      clientId: 'projector-rebuild',
      topics,
    });
    const events = createEventReplay({
      kafka,
      pool,
      serde,
      topic: topics.events,
      partitions: [...ends.keys()],
      groupId: `${config.projector.consumerGroup}.rebuild.${randomUUID()}`,
      tables: rebuildTables,
      transactionEventsMax: config.projector.transactionEventsMax,
      partitionsConcurrent,
      logger,
    });
    replay = events;
    let phase: RebuildProgress['phase'] = 'replay';
    let targets: ReadonlyMap<number, bigint> = ends;
    let last = { at: startedAt, events: 0 };
    const report = () => {
      const now = Date.now();
      const applied = events.applied();
      const consumed = events.consumed();
      const partitionsDone = [...targets].filter(
        ([partition, target]) => (consumed.get(partition) ?? 0n) >= target,
      ).length;
      options.onProgress?.({
        phase,
        events: applied,
        eventsPerSecond: Math.round(((applied - last.events) * 1000) / Math.max(1, now - last.at)),
        partitionsDone,
        partitions: targets.size,
      });
      last = { at: now, events: applied };
    };
    timer = setInterval(report, rebuildProgressIntervalMs).unref();

    await events.start();
    await events.runTo(ends);
    report();
    if (options.swap) {
      await swapIntoPlace({
        pool,
        replay: events,
        consumerGroup: config.projector.consumerGroup,
        topic: topics.events,
        logger,
        limits: options.limits,
        onPhase: (next, nextTargets) => {
          phase = next;
          targets = nextTargets;
        },
      });
      report();
    }
    return {
      events: events.applied(),
      offsets: new Map(events.consumed()),
      swapped: options.swap,
      tables: options.swap ? liveTables : rebuildTables,
      durationMs: Date.now() - startedAt,
    };
  } finally {
    clearInterval(timer);
    await replay?.stop().catch((error: unknown) => logger.warn('replay stop failed', { error }));
    await releaseRebuild(claim).catch(() => undefined);
    claim.release();
    await pool.end();
  }
}

/**
 * Where the event log ends now, per partition: the replay's first targets. The log is never
 * truncated (unlimited retention); one that is cannot rebuild the read models, so say so.
 */
async function endOffsets(
  kafka: ReturnType<typeof createKafkaClient>,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    assert(offsets.length > 0, `topic ${topic} has no partitions`);
    for (const { partition, low } of offsets) {
      assert(
        low === '0',
        `${topic} partition ${partition} starts at ${low}: the log was truncated`,
      );
    }
    return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}
