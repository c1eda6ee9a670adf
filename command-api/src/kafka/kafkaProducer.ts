import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * The kafkajs producer for ledger.commands, options spelled out at the call site:
 * - `idempotent: true`: the broker drops a retried batch it already wrote (producer id +
 *   sequence numbers), so kafkajs' own retry of a batch after a lost ack never duplicates a
 *   command. kafkajs then requires acks=-1 on every send (commandProducer does). Its retries are
 *   the client's bounded kafkaRetry, and a send that still fails leaves its sequence numbers
 *   unsafe to reuse, so wiring wraps this in createRenewableProducer (runtime), which replaces it
 *   after every failed send; the HTTP request is bounded by publishTimeoutMs.
 * - `maxInFlightRequests: 1`: KIP-98's condition for ordering under idempotence in clients that
 *   cannot track several in-flight sequences per partition, as kafkajs cannot.
 * - DefaultPartitioner: Java-compatible murmur2 of the key, so every client (and the processor's
 *   assumptions about key → partition) agrees on where an account's commands live.
 * - no auto topic creation: topics are created by the stack with their retention and partitions.
 */
export function createCommandKafkaProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
}
