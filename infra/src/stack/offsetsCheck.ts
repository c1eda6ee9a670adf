import { createPostgresPool, type OffsetTableName, type TopicNames } from '@ledger/runtime';
import type { Kafka } from 'kafkajs';
import { failures } from '../failures.ts';
import { defaultLedgerSchema } from '../migrations/migrator.ts';
import { databaseOf } from './prepareDependencies.ts';

/** The topic each table's offsets were consumed from. */
const consumedTopic: Record<OffsetTableName, keyof TopicNames> = {
  consumer_offsets: 'commands',
  projector_offsets: 'events',
};

/**
 * Before the services start: every offset the ledger database recorded must lie within this
 * Kafka's topics. A stack whose Kafka data is new (a fresh checkout's `.stack/`) next to a
 * database another stack filled would otherwise start services that crash on it one by one
 * (runtime `assertStoredOffsetInLog`); here it is one line that says what to do.
 */
export async function assertOffsetsWithinTopics(
  kafka: Kafka,
  postgresUrl: string,
  topics: TopicNames,
  schema: string = defaultLedgerSchema,
): Promise<void> {
  const pool = createPostgresPool({
    connectionString: postgresUrl,
    schema,
    max: 1,
    applicationName: 'ledger-stack',
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [table, topicKey] of Object.entries(consumedTopic)) {
      const topic = topics[topicKey];
      const stored = await pool.query<{ partition: number; next_offset: string }>(
        `select partition, max(next_offset)::text as next_offset from ${table}
          where topic = $1 group by partition order by partition`,
        [topic],
      );
      if (stored.rows.length === 0) continue;
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, BigInt(end.high)]),
      );
      for (const row of stored.rows) {
        const end = ends.get(row.partition) ?? 0n;
        if (BigInt(row.next_offset) > end) {
          throw failures.offsetsBeyondLog(
            databaseOf(postgresUrl),
            `${table}: ${topic}[${row.partition}] at ${row.next_offset}, its end is ${end}`,
          );
        }
      }
    }
  } finally {
    await admin.disconnect();
    await pool.end();
  }
}
