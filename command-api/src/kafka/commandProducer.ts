import { LedgerError, type Logger } from '@ledger/runtime';
import type { LedgerCommand } from '@ledger/schemas';
import type { Message, Producer } from 'kafkajs';
import type { CommandPublisher, CommandToPublish } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';

/** Messages waiting for a sendBatch; beyond it publish() answers 503 overloaded at once. */
export const producerQueueMessagesMax = 50_000;
/**
 * Value and key bytes waiting for a sendBatch, the queue's memory bound: 50000 messages are
 * ~15 MiB at a few hundred bytes each, but up to ~650 MiB at the ~13 KiB a message with full
 * metadata can reach. Beyond it publish() answers 503 overloaded.
 */
export const producerQueueBytesMax = 32 * 1024 * 1024;
/** Messages per sendBatch: one produce request per broker, well under message.max.bytes. */
export const sendBatchMessagesMax = 5_000;
/**
 * Value and key bytes per sendBatch. Commands sharing a key share a partition, and the broker
 * refuses a partition's record batch over message.max.bytes (1 MiB by default): a coalesced
 * batch of 5000 commands for one funding account was ~1.2 MiB and failed whole (found by bench).
 */
export const sendBatchBytesMax = 512 * 1024;
/** How long a request waits for its batch's acks before answering 503 (Kafka keeps retrying). */
export const publishTimeoutMs = 10_000;
/** Kafka-side wait for acks=all within one produce request. */
export const produceRequestTimeoutMs = 5_000;

/** The serde's encoder (@ledger/schemas createLedgerSerde().encodeCommand), injected. */
export type EncodeCommand = (command: LedgerCommand) => Buffer;

export interface CommandProducerOptions {
  readonly producer: Pick<Producer, 'sendBatch'>;
  readonly topic: string;
  readonly encodeCommand: EncodeCommand;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
  readonly queueMessagesMax?: number;
  readonly queueBytesMax?: number;
  readonly batchMessagesMax?: number;
  readonly timeoutMs?: number;
}

export interface CommandProducer extends CommandPublisher {
  /** Refuses new publishes, sends what is queued and waits for the batch in flight. */
  drain(): Promise<void>;
}

interface PendingPublish {
  readonly messages: readonly Message[];
  /** Sum of the messages' value and key lengths, for sendBatchBytesMax. */
  readonly bytes: number;
  settled: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Coalesces the publishes of concurrent requests into one `sendBatch`: whatever arrived while
 * the previous batch was in flight (or within one event-loop turn, via setImmediate) goes out
 * together, up to sendBatchMessagesMax. One batch in flight at a time keeps per-key order across
 * batches and makes batches grow with load, which is where the throughput comes from.
 *
 * The producer must be idempotent (acks=-1, maxInFlightRequests 1) and renewed after a failed
 * send (see kafkaProducer.ts); a request's promise resolves when its batch is acknowledged by all
 * in-sync replicas. A request of n commands always travels in a single batch.
 */
export function createCommandProducer(options: CommandProducerOptions): CommandProducer {
  const queueMax = options.queueMessagesMax ?? producerQueueMessagesMax;
  const queueBytesMax = options.queueBytesMax ?? producerQueueBytesMax;
  const batchMax = options.batchMessagesMax ?? sendBatchMessagesMax;
  const timeoutMs = options.timeoutMs ?? publishTimeoutMs;
  const queue: PendingPublish[] = [];
  let queuedMessages = 0;
  let queuedBytes = 0;
  let flushScheduled = false;
  let inFlight: Promise<void> | undefined;
  let draining = false;

  const scheduleFlush = () => {
    if (flushScheduled || inFlight !== undefined || queue.length === 0) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      sendNextBatch();
    });
  };

  const sendNextBatch = () => {
    if (inFlight !== undefined || queue.length === 0) return;
    const batch: PendingPublish[] = [];
    let size = 0;
    let bytes = 0;
    while (queue.length > 0) {
      const next = queue[0] as PendingPublish;
      if (batch.length > 0 && size + next.messages.length > batchMax) break;
      if (batch.length > 0 && bytes + next.bytes > sendBatchBytesMax) break;
      queue.shift();
      queuedMessages -= next.messages.length;
      queuedBytes -= next.bytes;
      if (next.settled) continue; // timed out while queued: never sent
      batch.push(next);
      size += next.messages.length;
      bytes += next.bytes;
    }
    options.metrics.producerQueueDepth.set(queuedMessages);
    if (batch.length === 0) return;
    options.metrics.producerBatchSize.observe(size);
    inFlight = options.producer
      .sendBatch({
        topicMessages: [
          { topic: options.topic, messages: batch.flatMap((entry) => entry.messages) },
        ],
        acks: -1,
        timeout: produceRequestTimeoutMs,
      })
      .then(
        () => {
          for (const entry of batch) settle(entry, undefined);
        },
        (error: unknown) => {
          options.logger.error('sendBatch failed', { error, messages: size });
          const refusal = new LedgerError(
            'overloaded',
            'the command log did not acknowledge; retry',
            {
              retryAfterSeconds: 1,
              cause: error,
            },
          );
          for (const entry of batch) settle(entry, refusal);
        },
      )
      .finally(() => {
        inFlight = undefined;
        scheduleFlush();
      });
  };

  const refuseQueueFull = (): Promise<void> => {
    options.metrics.shed.inc({ reason: 'producer_queue' });
    return Promise.reject(
      new LedgerError('overloaded', 'too many commands waiting for Kafka; retry later', {
        retryAfterSeconds: 1,
      }),
    );
  };

  const settle = (entry: PendingPublish, error: unknown) => {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  };

  return {
    topic: options.topic,
    publish(commands: readonly CommandToPublish[]): Promise<void> {
      if (draining) {
        return Promise.reject(
          new LedgerError('overloaded', 'this instance is shutting down; retry', {
            retryAfterSeconds: 1,
          }),
        );
      }
      if (commands.length === 0) return Promise.resolve();
      if (commands.length > batchMax) {
        return Promise.reject(
          new Error(`one publish of ${commands.length} commands exceeds ${batchMax}`),
        );
      }
      if (queuedMessages + commands.length > queueMax) return refuseQueueFull();
      // Encoding here, per request, makes a contract error this request's 500, not the batch's.
      const messages = commands.map((entry) => toMessage(entry, options.encodeCommand));
      const bytes = messages.reduce((sum, message) => sum + messageBytes(message), 0);
      if (queuedBytes + bytes > queueBytesMax) return refuseQueueFull();
      return new Promise<void>((resolve, reject) => {
        const entry: PendingPublish = {
          messages,
          bytes,
          settled: false,
          resolve,
          reject,
        };
        entry.timer = setTimeout(() => {
          settle(
            entry,
            new LedgerError('overloaded', 'Kafka did not acknowledge in time; retry', {
              retryAfterSeconds: 1,
            }),
          );
        }, timeoutMs);
        queue.push(entry);
        queuedMessages += messages.length;
        queuedBytes += bytes;
        options.metrics.producerQueueDepth.set(queuedMessages);
        scheduleFlush();
      });
    },

    async drain(): Promise<void> {
      draining = true;
      while (queue.length > 0 || inFlight !== undefined) {
        sendNextBatch();
        await inFlight;
      }
    },
  };
}

/** Key = the account whose funds the command checks; headers as docs/contract.md requires. */
function toMessage(entry: CommandToPublish, encodeCommand: EncodeCommand): Message {
  const { command } = entry;
  return {
    key: entry.key,
    value: encodeCommand({ ...command, traceparent: entry.traceparent ?? null }),
    timestamp: String(command.receivedAt),
    headers:
      entry.traceparent === undefined
        ? { 'command-type': command.payload.type, 'request-id': entry.requestId }
        : {
            traceparent: entry.traceparent,
            'command-type': command.payload.type,
            'request-id': entry.requestId,
          },
  };
}

function messageBytes(message: Message): number {
  const length = (part: Message['key']) =>
    part === null || part === undefined
      ? 0
      : typeof part === 'string'
        ? Buffer.byteLength(part)
        : part.length;
  return length(message.key) + length(message.value);
}
