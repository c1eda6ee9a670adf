import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { kafkaRetry, partitionOfMessage } from './kafkaClient.ts';
import type { Logger } from './logger.ts';

/**
 * Broker refusals meaning it no longer accepts this idempotent producer's id and sequence numbers.
 * kafkajs treats each as not retriable and never resets its sequences, so one of them repeats on
 * every later send of that producer (see createRenewableProducer for how it gets there).
 */
const producerStateLostTypes = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether a send failed because the broker refuses this producer's sequence state (above). */
export function isProducerStateLost(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth += 1) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && producerStateLostTypes.has(type)) return true;
    cause = cause.cause;
  }
  return false;
}

/**
 * Whether a failed send is worth sending again on a fresh producer: refused for its sequence
 * state, or failed for a reason kafkajs calls retriable (a connection, a leader that moved, a
 * timeout). Not: a message too large, a topic that does not exist, an authorization refusal.
 */
export function isWorthResending(error: unknown): boolean {
  if (isProducerStateLost(error)) return true;
  let innermost = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const cause: unknown = innermost instanceof Error ? innermost.cause : undefined;
    if (!(cause instanceof Error)) break;
    innermost = cause;
  }
  return (innermost as { retriable?: unknown } | undefined)?.retriable === true;
}

/**
 * The partitions a batch wrote to (as its producer's ledgerPartitioner chose them) that have no
 * answer in what the send resolved with: `topic:partition` each.
 */
export function unansweredPartitions(batch: ProducerBatch, answers: RecordMetadata[]): string[] {
  const answered = new Set(answers.map((answer) => `${answer.topicName}:${answer.partition}`));
  const missing = new Set<string>();
  for (const { topic, messages } of batch.topicMessages ?? []) {
    for (const message of messages) {
      const partition = message.partition ?? partitionOfMessage.get(message);
      if (partition === undefined) continue; // another partitioner: cannot be checked
      if (!answered.has(`${topic}:${partition}`)) missing.add(`${topic}:${partition}`);
    }
  }
  return [...missing];
}

/** A send kafkajs resolved without writing some of its partitions: retriable, on a fresh producer. */
export class UnansweredPartitionsError extends Error {
  override readonly name = 'UnansweredPartitionsError';
  readonly retriable = true;
  constructor(readonly partitions: readonly string[]) {
    super(`kafkajs resolved a send without an answer for ${partitions.join(', ')}`);
  }
}

/** Attempts per sendBatch, ~9.5 s apart in all: the schedule of the client's kafkaRetry. */
export const sendAttemptsMax = kafkaRetry.retries + 1;

function backoffMs(attempt: number): number {
  const base = Math.min(kafkaRetry.initialRetryTime * 2 ** (attempt - 1), kafkaRetry.maxRetryTime);
  return Math.round(base * (0.8 + Math.random() * 0.4)); // jitter, as kafkajs' factor 0.2
}

export type SendBatch = (batch: ProducerBatch) => Promise<RecordMetadata[]>;

export interface RenewableProducer {
  connect(): Promise<void>;
  sendBatch: SendBatch;
  disconnect(): Promise<void>;
  /** Producers replaced so far, one per failed send. */
  renewals(): number;
}

/**
 * An idempotent kafkajs producer that is replaced after every failed send, so no batch reuses the
 * sequence numbers of a batch whose fate is unknown, and that sends a failed batch again, whole,
 * on the fresh producer (at most sendAttemptsMax times, kafkaRetry's schedule apart).
 *
 * Why replace: when a produce request fails (the connection cut, the broker SIGKILLed) kafkajs
 * hands its sequence numbers back, though the broker may have appended the batch. The next
 * sendBatch carries other messages under the same first sequence number, and the broker either
 * refuses it (OUT_OF_ORDER_SEQUENCE_NUMBER, on every later send: the producer is wedged) or, when
 * it has as many messages as the appended one, takes it for a retry of that batch and
 * acknowledges it without writing it: acknowledged, and lost. renewableProducer.int.test.ts shows
 * both against the real broker. A fresh producer has a new producer id and sequences from zero.
 *
 * Why check the answers: kafkajs retries a send only to the brokers that have not answered it.
 * When a partition's leader dies and the partition moves to a broker that already answered for
 * its own partitions, kafkajs sends that partition's messages nowhere and resolves the send:
 * acknowledged, and lost (seen with `npm run faults -- --brokers 3`, group broker-kill-one). So a
 * send must have an answer for every partition its messages went to (unansweredPartitions), or
 * it counts as failed. kafkajs allows an idempotent producer no fewer than one retry of its own
 * (`producerRetry`); the rest is done here. A whole batch sent again writes what had landed a
 * second time; every consumer of these topics recognises such a duplicate by its command or
 * event id.
 */
export function createRenewableProducer(
  create: () => Producer,
  logger: Logger,
  options: { readonly attemptsMax?: number } = {},
): RenewableProducer {
  const attemptsMax = options.attemptsMax ?? sendAttemptsMax;
  let current = create();
  let connected: Promise<void> | undefined;
  let renewals = 0;

  const ready = async (): Promise<Producer> => {
    const producer = current;
    connected ??= producer.connect().catch((error: unknown) => {
      if (producer === current) connected = undefined; // the next send connects again
      throw error;
    });
    await connected;
    return producer;
  };

  const renew = (refused: Producer, error: unknown): void => {
    if (refused !== current) return; // a concurrent send already replaced it
    renewals += 1;
    logger.warn('a send failed; replacing the producer so no batch reuses its sequence numbers', {
      error,
      renewals,
    });
    current = create();
    connected = undefined;
    refused.disconnect().catch(() => undefined);
  };

  return {
    connect: async () => void (await ready()),
    async sendBatch(batch) {
      for (let attempt = 1; ; attempt += 1) {
        const producer = current;
        try {
          await ready();
          const answers = await producer.sendBatch(batch);
          const missing = unansweredPartitions(batch, answers);
          if (missing.length > 0) throw new UnansweredPartitionsError(missing);
          return answers;
        } catch (error) {
          renew(producer, error);
          if (attempt >= attemptsMax || !isWorthResending(error)) throw error;
          await sleep(backoffMs(attempt));
        }
      }
    },
    disconnect: () => current.disconnect(),
    renewals: () => renewals,
  };
}
