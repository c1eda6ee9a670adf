import type { Kafka, Producer } from 'kafkajs';
import { kafkaMetadataMaxAgeMs, ledgerPartitioner, producerRetry } from '@ledger/runtime';

/**
 * The kafkajs producer for ledger.commands, options spelled out at the call site:
 * - `idempotent: true`: the broker drops a batch appended twice within one producer's life, and
 *   kafkajs then requires acks=-1 on every send (commandProducer does).
 * - `retry: producerRetry` (one kafkajs retry): wiring wraps this in createRenewableProducer
 *   (runtime), which replaces it after every failed send and sends the batch again, whole, on
 *   the fresh one (why, in renewableProducer.ts); the HTTP request is bounded by publishTimeoutMs.
 * - metadata at most kafkaMetadataMaxAgeMs old: a moved partition leader is found within it.
 * - `maxInFlightRequests: 1`: KIP-98's condition for ordering under idempotence in clients that
 *   cannot track several in-flight sequences per partition, as kafkajs cannot.
 * - ledgerPartitioner, kafkajs' DefaultPartitioner: Java-compatible murmur2 of the key, so every client (and the processor's
 *   assumptions about key → partition) agrees on where an account's commands live.
 * - no auto topic creation: topics are created by the stack with their retention and partitions.
 */
export function createCommandKafkaProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: ledgerPartitioner,
    allowAutoTopicCreation: false,
    metadataMaxAge: kafkaMetadataMaxAgeMs,
    retry: producerRetry,
  });
}
