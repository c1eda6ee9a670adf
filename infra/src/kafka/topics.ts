import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { topicNames } from '@ledger/runtime';
import { failures, oneLine } from '../failures.ts';

/**
 * The topics of the contract (docs/contract.md), with the retention each one promises: commands are
 * a buffer (7 days), events are the audited truth (kept forever), balances a compacted changelog,
 * and the DLQ is kept long enough for a person to look at it (14 days).
 */
export interface TopicLayout {
  readonly prefix: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

const day = 24 * 60 * 60 * 1000;
export const commandsRetentionMs = 7 * day;
export const dlqRetentionMs = 14 * day;
/** A DLQ carries only the rare undecodable command; a reader wants them in one ordered list. */
export const dlqPartitions = 1;

export function ledgerTopicConfigs(layout: TopicLayout): ITopicConfig[] {
  const names = topicNames(layout.prefix);
  const topic = (
    name: string,
    partitions: number,
    config: Record<string, string>,
  ): ITopicConfig => ({
    topic: name,
    numPartitions: partitions,
    replicationFactor: layout.replicationFactor,
    configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
  });
  return [
    topic(names.commands, layout.partitions, {
      'cleanup.policy': 'delete',
      'retention.ms': String(commandsRetentionMs),
    }),
    topic(names.events, layout.partitions, {
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
    }),
    topic(names.balances, layout.partitions, {
      'cleanup.policy': 'compact',
      // Compact soon after a value is superseded, so a restarted cache reads few old values.
      'min.cleanable.dirty.ratio': '0.1',
      'segment.ms': String(60 * 60 * 1000),
    }),
    topic(names.commandsDlq, dlqPartitions, {
      'cleanup.policy': 'delete',
      'retention.ms': String(dlqRetentionMs),
    }),
  ];
}

export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
  /** Existing topics whose partition count differs from the layout (not changed by us). */
  readonly mismatched: readonly string[];
}

/** Attempts at creating topics and seeing their leaders, a short wait apart. */
const createAttemptsMax = 5;
const createRetryDelayMs = 250;

/**
 * kafkajs' wait for new topics' leaders gives up at once on UNKNOWN_TOPIC_OR_PARTITION from a
 * broker whose metadata has not caught up with the controller yet (seen in CI): on an error Kafka
 * calls retriable, create what is still missing and look for the leaders again.
 */
async function createWithLeaders(admin: Admin, topics: readonly ITopicConfig[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const present = new Set(await admin.listTopics());
      const toCreate = topics.filter((topic) => !present.has(topic.topic));
      if (toCreate.length > 0) await admin.createTopics({ topics: toCreate, waitForLeaders: true });
      const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const leaderless = metadata.topics.some((topic) =>
        topic.partitions.some((partition) => partition.leader < 0),
      );
      if (!leaderless) return;
      if (attempt >= createAttemptsMax)
        throw new Error('new topics have partitions without a leader');
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= createAttemptsMax) throw error;
    }
    await sleep(createRetryDelayMs);
  }
}

/** Creates the missing topics; existing ones are fine (a restart runs this again). */
export async function ensureLedgerTopics(
  kafka: Kafka,
  layout: TopicLayout,
): Promise<EnsureTopicsResult> {
  const wanted = ledgerTopicConfigs(layout);
  const admin = kafka.admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !present.has(topic.topic));
    if (missing.length > 0) await createWithLeaders(admin, missing);
    const existing = wanted.filter((topic) => present.has(topic.topic));
    const metadata =
      existing.length === 0
        ? { topics: [] }
        : await admin.fetchTopicMetadata({ topics: existing.map((t) => t.topic) });
    const mismatched = metadata.topics
      .filter(
        (topic) =>
          topic.partitions.length !== wanted.find((w) => w.topic === topic.name)?.numPartitions,
      )
      .map((topic) => `${topic.name} has ${topic.partitions.length} partitions`);
    return {
      created: missing.map((topic) => topic.topic),
      existing: existing.map((topic) => topic.topic),
      mismatched,
    };
  } catch (error) {
    throw failures.topicsFailed(
      oneLine(error instanceof Error ? error.message : String(error), 200),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
