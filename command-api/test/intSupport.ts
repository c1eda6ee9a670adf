import { randomUUID } from 'node:crypto';
import { dropSchema, migrateLatest } from '@ledger/infra';
import { conditionTimeoutMs } from '@ledger/testing/metricWait';
import {
  createKafkaClient,
  createLogger,
  readStackConfig,
  startTracing,
  topicNames,
  type Logger,
} from '@ledger/runtime';
import { connectLedgerSerde, registerSchemas, type LedgerSerde } from '@ledger/schemas';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { readCommandApiConfig, type CommandApiConfig } from '../src/config.ts';

/** Partitions of each test's commands topic: more than one, so keys must land right. */
export const testPartitions = 3;

export interface IntegrationEnvironment {
  readonly prefix: string;
  readonly pgSchema: string;
  readonly kafka: Kafka;
  readonly serde: LedgerSerde;
  readonly logger: Logger;
  readonly logLines: string[];
  config(overrides?: Record<string, string>): CommandApiConfig;
  teardown(): Promise<void>;
}

export interface EnvironmentOptions {
  /** Topic-level configs of the commands topic at creation, e.g. a tiny max.message.bytes. */
  readonly commandTopicConfigs?: readonly { name: string; value: string }[];
}

/**
 * A private slice of the real stack for one test file: its own topic prefix (topics and Redis
 * keys), its own Postgres schema migrated with infra's real migrations, its schemas registered.
 */
export async function setUpEnvironment(
  options: EnvironmentOptions = {},
): Promise<IntegrationEnvironment> {
  startTracing('command-api'); // as runService does: traceparents come from the SDK's propagator
  const id = randomUUID().slice(0, 8);
  const prefix = `cmdapi-it-${id}`;
  const pgSchema = `cmdapi_it_${id}`;
  const stack = readStackConfig();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const kafka = createKafkaClient({ clientId: 'cmdapi-it', brokers: stack.kafkaBrokers, logger });
  const topics = topicNames(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topics.commands,
          numPartitions: testPartitions,
          replicationFactor: 1,
          configEntries: [...(options.commandTopicConfigs ?? [])],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  await registerSchemas({ registryUrl: stack.registryUrl, topics, logger });
  await migrateLatest({ connectionString: stack.postgresUrl, schema: pgSchema });
  const serde = await connectLedgerSerde({ registryUrl: stack.registryUrl, topics });
  return {
    prefix,
    pgSchema,
    kafka,
    serde,
    logger,
    logLines,
    config: (overrides = {}) =>
      readCommandApiConfig({
        ...process.env,
        LEDGER_TOPIC_PREFIX: prefix,
        LEDGER_PG_SCHEMA: pgSchema,
        LEDGER_COMMAND_API_HOST: '127.0.0.1',
        ...overrides,
      }),
    async teardown() {
      const cleanup = kafka.admin();
      await cleanup.connect();
      try {
        await cleanup.deleteTopics({ topics: [topics.commands] });
      } finally {
        await cleanup.disconnect();
      }
      await dropSchema(stack.postgresUrl, pgSchema);
    },
  };
}

export interface CollectedMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Reads a topic from the beginning and lets a test wait until what it expects has arrived. */
export class TopicCollector {
  readonly messages: CollectedMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string): Promise<TopicCollector> {
    const consumer = kafka.consumer({ groupId: `${topic}.collector.${randomUUID()}` });
    const collector = new TopicCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        collector.messages.push({ partition, message });
        for (const listener of collector.listeners) listener();
        return Promise.resolve();
      },
    });
    return collector;
  }

  /** Resolves once `predicate` holds for the messages so far; fails after the timeout. */
  waitFor(
    predicate: (messages: readonly CollectedMessage[]) => boolean,
    what: string,
  ): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; have ${this.messages.length} messages`));
      }, conditionTimeoutMs);
      const check = () => {
        if (!predicate(this.messages)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
