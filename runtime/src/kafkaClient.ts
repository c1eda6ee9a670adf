import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type LogEntry,
  type Producer,
} from 'kafkajs';
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
