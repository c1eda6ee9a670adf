import { randomUUID } from 'node:crypto';
import { dropSchema, ensureLedgerTopics, migrateLatest } from '@ledger/infra';
import {
  createKafkaClient,
  createLogger,
  createPostgresPool,
  readStackConfig,
  topicNames,
  type Logger,
  type StackConfig,
  type TopicNames,
} from '@ledger/runtime';
import {
  connectLedgerSerde,
  ledgerSubjects,
  registerSchemas,
  type LedgerSerde,
} from '@ledger/schemas';
import { createRegistryHttp } from '@ledger/schemas/registryHttp';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';

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
 * A private slice of the real stack for one test (or a bench probe, which asks for the stack's
 * partition count): its own topics, registry subjects, Postgres
 * schema and Redis key prefix, removed again by `teardown`. Tests share the running Kafka,
 * registry, Postgres and Redis, never each other's data.
 */
export async function createLedgerTestEnvironment(
  name: string,
  options: { readonly partitions?: number } = {},
): Promise<LedgerTestEnvironment> {
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
  // Undone newest first by teardown, or at once when setup fails half-way, so nothing leaks.
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `teardown of ${prefix} failed`);
  };
  try {
    await ensureLedgerTopics(kafka, {
      prefix,
      partitions: options.partitions ?? testTopicPartitions,
      replicationFactor: 1,
    });
    cleanups.push(() => deleteTopics(kafka, topics));
    // Before registering: a registration that fails half-way leaves some subjects behind.
    cleanups.push(() => deleteSubjects(stack.registryUrl, topics));
    await registerSchemas({ registryUrl: stack.registryUrl, topics, logger });
    cleanups.push(() => dropSchema(stack.postgresUrl, pgSchema));
    await migrateLatest({ connectionString: stack.postgresUrl, schema: pgSchema });
    const serde = await connectLedgerSerde({ registryUrl: stack.registryUrl, topics });
    const pool = createPostgresPool({
      connectionString: stack.postgresUrl,
      schema: pgSchema,
      max: 4,
      applicationName: `it-${slug}`,
    });
    cleanups.push(() => pool.end());
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
      teardown,
    };
  } catch (error) {
    await teardown().catch(() => undefined); // the setup error is the one to report
    throw error;
  }
}

export async function deleteTopics(kafka: Kafka, topics: TopicNames): Promise<void> {
  await deleteTopic(kafka, ...Object.values(topics));
}

export async function deleteTopic(kafka: Kafka, ...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteSubjects(registryUrl: string, topics: TopicNames): Promise<void> {
  const registry = createRegistryHttp(registryUrl);
  for (const { subject } of ledgerSubjects(topics)) await registry.deleteSubject(subject);
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
