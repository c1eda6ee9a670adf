import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
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
 * sequence numbers of a batch whose fate is unknown.
 *
 * Why: when a produce request fails (the connection cut, the broker SIGKILLed) kafkajs hands its
 * sequence numbers back, though the broker may have appended the batch. Once kafkajs' retries of
 * that batch run out, the next sendBatch carries other messages under the same first sequence
 * number, and the broker either refuses it (OUT_OF_ORDER_SEQUENCE_NUMBER, on every later send:
 * the producer is wedged) or, when it has as many messages as the appended one, takes it for a
 * retry of that batch and acknowledges it without writing it: acknowledged, and lost.
 * renewableProducer.int.test.ts shows both against the real broker. A fresh producer has a new
 * producer id and sequences from zero, so neither can happen.
 *
 * A send refused for its sequence state (isProducerStateLost) was not written, so it is sent once
 * more on the fresh producer. Any other failed send is the caller's to retry, as before. What the
 * batch of unknown fate wrote is a duplicate in the log if the caller sends it again, which every
 * consumer of these topics recognises by its command or event id.
 */
export function createRenewableProducer(create: () => Producer, logger: Logger): RenewableProducer {
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
      const producer = await ready();
      try {
        return await producer.sendBatch(batch);
      } catch (error) {
        renew(producer, error);
        if (!isProducerStateLost(error)) throw error;
        return (await ready()).sendBatch(batch);
      }
    },
    disconnect: () => current.disconnect(),
    renewals: () => renewals,
  };
}
