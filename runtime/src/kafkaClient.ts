import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type ICustomPartitioner,
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

/**
 * Bounded, jittered retries for broker requests, ~9.5 s in all; kafkajs' own defaults retry for
 * ~30 s. Capped at a second apart: when a cluster node dies, its partitions get new leaders ~3 s
 * later (infra's broker.session.timeout.ms), and the retry after that should not wait 2 s more.
 */
export const kafkaRetry = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 12 } as const;

/**
 * One retry inside kafkajs, the fewest it allows an idempotent producer; createRenewableProducer
 * does the rest, and checks what a kafkajs retry answered (see renewableProducer.ts).
 */
export const producerRetry = { ...kafkaRetry, retries: 1 } as const;

/**
 * The partition kafkajs' partitioner chose for each message object sent, so a send can be checked
 * to have an answer for every partition it wrote to (unansweredPartitions, renewableProducer.ts).
 */
export const partitionOfMessage = new WeakMap<object, number>();

/** kafkajs' default (murmur2, Java-compatible) partitioner, remembering its choices. */
export const ledgerPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  return (args) => {
    const partition = choose(args);
    partitionOfMessage.set(args.message, partition);
    return partition;
  };
};

/**
 * How old cluster metadata (who leads which partition, who coordinates which group) may get
 * before a send or fetch refreshes it; kafkajs' default is 5 minutes. kafkajs refreshes it after
 * a failed send but not after a failed fetch, and a refresh made before the controller moved a
 * dead node's partitions still names the dead node: without this, a consumer would fetch from it
 * until its retries ran out. One Metadata request per client every 2 s is the price.
 */
export const kafkaMetadataMaxAgeMs = 2_000;

/**
 * A fetch waits at most this long for data (kafkajs: 5 s). A partition whose leader moved to a
 * node joins that node's fetches only when its current one returns: on a quiet node, after this.
 */
export const kafkaFetchWaitMaxMs = 1_000;

/**
 * Warnings about choices made on purpose, logged at debug so real warnings stand out:
 * - producers do not retry inside kafkajs (producerRetry); createRenewableProducer sends a failed
 *   batch again, and the duplicate it may cause is recognised downstream by id;
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
    createPartitioner: ledgerPartitioner,
    metadataMaxAge: kafkaMetadataMaxAgeMs,
    retry: producerRetry,
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
 * A consumer group's session timeout by default: how long the group waits for a silent member
 * before moving its partitions. A member SIGKILLed (or left behind by a broker restart, which
 * reloads the group's members from its log) holds its partitions that long, and a restarted
 * instance is a new member (kafkajs has no static membership), so this bounds recovery: at the
 * broker's minimum (group.min.session.timeout.ms, 6 s) a killed processor's partitions are
 * decided again within ~8 s (the fault suite's processor-kill group). Members heartbeat every
 * tenth of it, and batches that wait heartbeat meanwhile (whileHeartbeating).
 */
export const sessionTimeoutMsDefault = 6_000;

/** Bounded within the broker's default group.min/max.session.timeout.ms, and at most 5 min. */
export function sessionTimeoutMsFromEnv(env: NodeJS.ProcessEnv, name: string): number {
  return intFromEnv(env, name, sessionTimeoutMsDefault, { min: 6_000, max: 300_000 });
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
    metadataMaxAge: kafkaMetadataMaxAgeMs,
    maxWaitTimeInMs: kafkaFetchWaitMaxMs,
    retry: kafkaRetry,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) options.onFatal(event.payload.error);
  });
  return consumer;
}

/** Errors kafkajs raises when the broker is unreachable, restarting or moving leadership. */
const kafkaUnavailableNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/**
 * Whether a Kafka request failed because the cluster is unreachable or moving (a broker restart,
 * a leader election), so the same request may succeed later; a refused request (too large, not
 * authorised) is not.
 */
export function isKafkaUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (kafkaUnavailableNames.has(error.name)) return true;
  if (error.name === 'KafkaJSProtocolError' && (error as { retriable?: unknown }).retriable) {
    return true;
  }
  return error.cause instanceof Error && isKafkaUnavailable(error.cause);
}

/** How often a batch that waits (on Postgres, on the relay) tells the group it is alive. */
export const waitingHeartbeatIntervalMs = 1_000;

/**
 * Awaits `work` while heartbeating the consumer group, so a batch that waits out a Postgres
 * restart keeps its partitions instead of being taken for a dead member after the session
 * timeout. A heartbeat that fails (the broker is down too, a rebalance began) is left to the
 * consumer's own loop, which rejoins after the batch.
 */
export async function whileHeartbeating<T>(
  heartbeat: () => Promise<void>,
  work: Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, waitingHeartbeatIntervalMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
