import { randomUUID } from 'node:crypto';
import { createLedgerProducer } from '@ledger/runtime';
import { commandKey, command as wireCommand } from '@ledger/testing/ledgerWorkload';
import { type CommandPayload, type LedgerCommand, type LedgerSerde } from '@ledger/schemas';
import type { Kafka } from 'kafkajs';

/** A command as the command API would build it, keyed by the account whose state decides it. */
export function command(payload: CommandPayload): { key: string; command: LedgerCommand } {
  const built = wireCommand(payload);
  return { key: commandKey(built), command: built };
}

export const openAccount = (accountId: string, currency: string, overdraftLimit = 0n) =>
  command({ type: 'OpenAccount', accountId, currency, overdraftLimit, metadata: {} });

export const transfer = (
  transferId: string,
  fromAccountId: string,
  toAccountId: string,
  amount: bigint,
  currency: string,
  reversalOf?: string,
) =>
  command({
    type: 'Transfer',
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    currency,
    metadata: {},
    ...(reversalOf === undefined ? {} : { reversalOf }),
  });

export async function produceCommands(
  kafka: Kafka,
  serde: LedgerSerde,
  topic: string,
  commands: readonly { key: string; command: LedgerCommand }[],
): Promise<void> {
  const producer = createLedgerProducer(kafka);
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: commands.map((c) => ({ key: c.key, value: serde.encodeCommand(c.command) })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** One message of a topic as Kafka holds it. */
export interface RawMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
}

/** Every message of `topic` up to its current end, per partition in offset order. */
export async function readRawMessages(kafka: Kafka, topic: string): Promise<RawMessage[][]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const partitions: RawMessage[][] = offsets.map(() => []);
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  let read = 0;
  const consumer = kafka.consumer({ groupId: `it-copy-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        partitions[partition]?.push({
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value ?? Buffer.alloc(0),
        });
        read += 1;
        if (read >= total) resolve();
        return Promise.resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return partitions;
}

/**
 * Writes `partitions` (after a test changed them) to a new topic of as many partitions, each
 * message to its own partition in order, so offsets in the copy are the index in its list.
 */
export async function writeCopy(
  kafka: Kafka,
  topic: string,
  partitions: readonly (readonly { key: Buffer | null; value: Buffer }[])[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions.length, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
  const producer = createLedgerProducer(kafka);
  await producer.connect();
  try {
    for (const [partition, messages] of partitions.entries()) {
      if (messages.length === 0) continue;
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ partition, key: m.key, value: m.value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
