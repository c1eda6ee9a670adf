import type { Logger } from '@ledger/runtime';
import type { Admin } from 'kafkajs';
import type { LagGauge } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';

/** How often the lag is read: one ListOffsets + one OffsetFetch per interval. */
export const lagPollIntervalMs = 2_000;
/** A reading older than this many intervals is stale: shedding on stale data would be a guess. */
export const lagStaleIntervals = 3;

export interface ConsumerLagMonitorOptions {
  readonly admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;
  readonly groupId: string;
  readonly topic: string;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly intervalMs?: number;
}

export interface ConsumerLagMonitor extends LagGauge {
  /** Reads the lag once (the periodic loop calls this); undefined when it could not be read. */
  refresh(): Promise<number | undefined>;
  start(): void;
  /** Stops the loop and waits for a read in flight, so the admin client can be disconnected. */
  stop(): Promise<void>;
}

/**
 * The ledger processor's lag on the commands topic: end offsets minus the group's committed
 * offsets, summed over partitions. The processor stores its real position in Postgres and
 * commits Kafka offsets for monitoring only (DESIGN.md), which is what this reads; a partition
 * with no committed offset counts from its earliest retained offset.
 */
export function createConsumerLagMonitor(options: ConsumerLagMonitorOptions): ConsumerLagMonitor {
  const intervalMs = options.intervalMs ?? lagPollIntervalMs;
  let lastLag: number | undefined;
  let lastReadAtMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let lastFailure = '';
  let reading: Promise<number | undefined> | undefined;

  // A read racing admin.disconnect() would reconnect a broker socket and keep the process alive.
  const refresh = (): Promise<number | undefined> => {
    const read = readLag().finally(() => {
      if (reading === read) reading = undefined;
    });
    reading = read;
    return read;
  };

  const readLag = async (): Promise<number | undefined> => {
    try {
      const [ends, committed] = await Promise.all([
        options.admin.fetchTopicOffsets(options.topic),
        options.admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] }),
      ]);
      const committedByPartition = new Map<number, bigint>();
      for (const topic of committed) {
        for (const { partition, offset } of topic.partitions) {
          committedByPartition.set(partition, BigInt(offset));
        }
      }
      let lag = 0n;
      for (const { partition, high, low } of ends) {
        const position = committedByPartition.get(partition) ?? -1n;
        const from = position >= 0n ? position : BigInt(low);
        const behind = BigInt(high) - from;
        if (behind > 0n) lag += behind;
      }
      lastLag = Number(lag);
      lastReadAtMs = options.now();
      lastFailure = '';
      options.metrics.consumerLag.set(lastLag);
      return lastLag;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastFailure) {
        options.logger.warn('could not read the processor consumer lag', { error: message });
        lastFailure = message;
      }
      return undefined;
    }
  };

  const loop = () => {
    void refresh().finally(() => {
      if (running) timer = setTimeout(loop, intervalMs).unref();
    });
  };

  return {
    currentLag() {
      if (options.now() - lastReadAtMs > intervalMs * lagStaleIntervals) return undefined;
      return lastLag;
    },
    refresh,
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await reading;
    },
  };
}
