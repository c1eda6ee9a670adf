import { randomUUID } from 'node:crypto';
import { waitUntil, type LedgerTestEnvironment } from './ledgerTestEnvironment.ts';

/**
 * Reads `topic` from its beginning with a group of its own, decoding each message, until `until`
 * holds for what was read (or waitUntil's timeout), and returns it.
 */
export async function readTopicUntil<T>(
  env: LedgerTestEnvironment,
  topic: string,
  decode: (value: Buffer) => Promise<T>,
  until: (seen: T[]) => boolean,
): Promise<T[]> {
  const seen: T[] = [];
  const consumer = env.kafka.consumer({ groupId: `${env.prefix}.reader.${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value !== null) seen.push(await decode(message.value));
    },
  });
  try {
    await waitUntil(() => until(seen), `messages of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
