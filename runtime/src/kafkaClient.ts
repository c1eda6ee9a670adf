import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { intFromEnv } from './limits.ts';
import type { Logger } from './logger.ts';

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
}

/** Bounded, jittered retries for broker requests; kafkajs' own defaults retry for ~30 s. */
export const kafkaRetry = { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 } as const;

/**
 * Warnings about choices made on purpose, logged at debug so real warnings stand out:
 * - producers retry a bounded number of times (a limit on everything); a send that still fails
 *   is retried by its caller and the duplicate it may cause is recognised downstream by id;
 * - the partitioner is set explicitly on every producer (see createLedgerProducer).
 */
const expectedWarnings = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/**
 * Idempotent, acks=all-ready producer with kafkajs' default (murmur2, Java-compatible)
 * partitioner, so a key lands on the partition any Kafka client would pick for it.
 */
export function createLedgerProducer(
  kafka: Kafka,
  options: { transactionalId?: string } = {},
): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
  });
}

/** The one place a Kafka client is built, so a switch to another client stays cheap. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: kafkaRetry,
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        if (expectedWarnings.has(message)) log.debug(message, fields);
        else if (level <= KafkaLogLevel.ERROR) log.error(message, fields);
        else if (level === KafkaLogLevel.WARN) log.warn(message, fields);
        else log.debug(message, fields);
      },
  });
}

/**
 * A consumer group's session timeout: how long the group waits for a silent member before moving
 * its partitions. Bounded within the broker's default group.min/max.session.timeout.ms (6 s to
 * 30 min), and at 5 min so a dead member's partitions do not stall for longer.
 */
export function sessionTimeoutMsFromEnv(env: NodeJS.ProcessEnv, name: string): number {
  return intFromEnv(env, name, 30_000, { min: 6_000, max: 300_000 });
}

/** Bytes fetched per partition and request: a few thousand records, decoded in one batch. */
export const fetchBytesPerPartitionMax = 1_048_576;

/**
 * The consumer of a group whose members own partitions and store their offsets in Postgres (the
 * ledger processor on commands, the projector on events): heartbeats at a tenth of the session,
 * a minute for members to rejoin, the client's bounded retries; a crash kafkajs will not restart
 * by itself goes to `onFatal` (the partitions resume from the stored offsets after a restart).
 */
export function createGroupConsumer(
  kafka: Kafka,
  options: {
    readonly groupId: string;
    readonly sessionTimeoutMs: number;
    readonly onFatal: (error: unknown) => void;
  },
): Consumer {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    maxBytesPerPartition: fetchBytesPerPartitionMax,
    retry: kafkaRetry,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) options.onFatal(event.payload.error);
  });
  return consumer;
}
