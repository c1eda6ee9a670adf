import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { throttledRead } from './metrics.ts';

export type LagAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;

export interface PartitionLag {
  readonly partition: number;
  /** Messages between the group's committed offset and the partition's end (never negative). */
  readonly lag: number;
}

/**
 * A group's lag per partition of one topic: end offsets minus committed offsets. The consumers
 * keep their real position in Postgres (or in memory, the query API) and commit Kafka offsets for
 * monitoring and autoscalers only, which is what this reads; a partition with no committed offset
 * counts from its earliest retained offset.
 */
export async function readConsumerLag(
  admin: LagAdmin,
  groupId: string,
  topic: string,
): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedByPartition = new Map<number, bigint>();
  for (const entry of committed) {
    for (const { partition, offset } of entry.partitions) {
      committedByPartition.set(partition, BigInt(offset));
    }
  }
  return ends.map(({ partition, high, low }) => {
    const position = committedByPartition.get(partition) ?? -1n;
    const behind = BigInt(high) - (position >= 0n ? position : BigInt(low));
    return { partition, lag: behind > 0n ? Number(behind) : 0 };
  });
}

/**
 * `ledger_consumer_lag_messages{group,topic,partition}`, read from Kafka when Prometheus scrapes
 * (one ListOffsets and one OffsetFetch, at most once per scrapeReadMinIntervalMs). A read that fails leaves no series rather than stale ones:
 * `ledger_dependency_up{dependency="kafka"}` says why.
 */
export function registerConsumerLagGauge(
  registry: Registry,
  options: {
    readonly admin: LagAdmin;
    readonly groupId: string;
    readonly topic: string;
    readonly logger: Logger;
  },
): void {
  let lastFailure = '';
  const readLag = throttledRead(() =>
    readConsumerLag(options.admin, options.groupId, options.topic),
  );
  new Gauge({
    name: 'ledger_consumer_lag_messages',
    help: "Messages a consumer group has yet to read, per partition (end offset minus the group's committed offset)",
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const lags = await readLag();
        for (const { partition, lag } of lags) {
          this.set(
            { group: options.groupId, topic: options.topic, partition: String(partition) },
            lag,
          );
        }
        lastFailure = '';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) {
          options.logger.warn('could not read the consumer lag', {
            group: options.groupId,
            error: message,
          });
          lastFailure = message;
        }
      }
    },
  });
}
