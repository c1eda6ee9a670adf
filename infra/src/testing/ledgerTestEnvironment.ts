import { randomUUID } from 'node:crypto';
import {
  createKafkaClient,
  createLogger,
  readStackConfig,
  topicNames,
  type Logger,
  type StackConfig,
  type TopicNames,
} from '@ledger/runtime';
import {
  createLedgerSerde,
  createSchemaRegistryClient,
  registerSchemas,
  type LedgerSerde,
} from '@ledger/schemas';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { ensureLedgerTopics } from '../kafka/topics.ts';
import { dropSchema, migrateLatest } from '../migrations/migrator.ts';

/** Partitions of a test's topics: several, so keys must land right and partitions interleave. */
export const testTopicPartitions = 4;

export interface LedgerTestEnvironment {
  /** Topic prefix (also the Redis key prefix) owned by this test. */
  readonly prefix: string;
  readonly topics: TopicNames;
  /** Postgres schema owned by this test, migrated to the latest ledger schema. */
  readonly pgSchema: string;
  readonly stack: StackConfig;
  readonly kafka: Kafka;
  readonly serde: LedgerSerde;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** The stack env with this test's prefix and schema, for a service's config reader. */
  env(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  teardown(): Promise<void>;
}

/**
 * A private slice of the real stack for one test: its own topics, registry subjects, Postgres
 * schema and Redis key prefix, removed again by `teardown`. Tests share the running Kafka,
 * registry, Postgres and Redis, never each other's data.
 */
export async function createLedgerTestEnvironment(name: string): Promise<LedgerTestEnvironment> {
  const id = randomUUID().slice(0, 8);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const prefix = `it-${slug.replace(/_/g, '-')}-${id}`;
  const pgSchema = `it_${slug}_${id}`;
  const stack = readStackConfig();
  const logger = createLogger({
    level: process.env.LEDGER_LOG_LEVEL === 'debug' ? 'debug' : 'warn',
    bindings: { test: name },
    write: (line) => process.stderr.write(line + '\n'),
  });
  const kafka = createKafkaClient({ clientId: `it-${slug}`, brokers: stack.kafkaBrokers, logger });
  const topics = topicNames(prefix);
  await ensureLedgerTopics(kafka, {
    prefix,
    partitions: testTopicPartitions,
    replicationFactor: 1,
  });
  await registerSchemas({ registryUrl: stack.registryUrl, topics, logger });
  await migrateLatest({ connectionString: stack.postgresUrl, schema: pgSchema });
  const serde = await createLedgerSerde({
    registry: createSchemaRegistryClient({ registryUrl: stack.registryUrl }),
    topics,
  });
  const pool = new pg.Pool({
    connectionString: stack.postgresUrl,
    max: 4,
    options: `-c search_path=${pgSchema}`,
  });
  return {
    prefix,
    topics,
    pgSchema,
    stack,
    kafka,
    serde,
    pool,
    logger,
    env: (overrides = {}) => ({
      ...process.env,
      LEDGER_TOPIC_PREFIX: prefix,
      LEDGER_PG_SCHEMA: pgSchema,
      ...overrides,
    }),
    async teardown() {
      await pool.end();
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: Object.values(topics) });
      } finally {
        await admin.disconnect();
      }
      await deleteSubjects(stack.registryUrl, topics);
      await dropSchema(stack.postgresUrl, pgSchema);
    },
  };
}

async function deleteSubjects(registryUrl: string, topics: TopicNames): Promise<void> {
  for (const topic of Object.values(topics)) {
    const subject = encodeURIComponent(`${topic}-value`);
    await fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  }
}

/** Polls a condition until it holds (never a fixed sleep); fails with `what` after the budget. */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
