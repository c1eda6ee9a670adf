import { createKafkaClient, topicNames, type Logger, type StackConfig } from '@ledger/runtime';
import type { Kafka } from 'kafkajs';
import { failures } from '../failures.ts';
import { ensureLedgerTopics } from '../kafka/topics.ts';
import { clusterReplication } from '../kafka/serverProperties.ts';
import { ensureDatabase } from '../localServices/postgres.ts';
import { registerLedgerSchemas } from '../registry/registerSchemasStep.ts';
import type { Reporter } from '../reporter.ts';
import { stackLimits } from '../stackLimits.ts';
import { httpAnswers, waitUntil } from '../supervisor/waitFor.ts';
import { databaseOf, migrateLedger } from './prepareDependencies.ts';

/**
 * The ledger's topics (replicated as the cluster allows) and its registered schemas: what `up`
 * does once Kafka and the registry are healthy, and `provision` does against running ones.
 */
export async function provisionTopicsAndSchemas(
  kafka: Kafka,
  config: StackConfig,
  options: { readonly reporter: Reporter; readonly logger: Logger },
): Promise<void> {
  const { reporter } = options;
  const topics = await ensureLedgerTopics(kafka, {
    prefix: config.topicPrefix,
    partitions: config.topicPartitions,
    replicationFactor: clusterReplication(config.kafkaNodes).replicationFactor,
  });
  const brokers = `${config.kafkaNodes} ${config.kafkaNodes === 1 ? 'broker' : 'brokers'}`;
  reporter.line(
    'topics',
    `${topics.created.length} created, ${topics.existing.length} existing (${config.topicPrefix}.*, ${config.topicPartitions} partitions, ${brokers})`,
  );
  for (const mismatch of topics.mismatched)
    reporter.line('topics', `warning: ${mismatch}, left as is`);
  await registerLedgerSchemas(
    {
      registryUrl: config.registryUrl,
      topics: topicNames(config.topicPrefix),
      logger: options.logger,
    },
    reporter,
  );
}

/**
 * `stackCli provision`: against a Kafka, registry and Postgres that run elsewhere (docker-compose's
 * `setup` job, a Kubernetes Job): the database and its migrations, the topics, the schemas. Starts
 * nothing; waits, bounded, for the registry, which compose only starts before this job.
 */
export async function provision(
  config: StackConfig,
  options: { readonly reporter: Reporter; readonly logger: Logger },
): Promise<void> {
  const { reporter } = options;
  const database = databaseOf(config.postgresUrl);
  if (await ensureDatabase(config.postgresAdminUrl, database)) {
    reporter.line('postgres', `created database ${database}`);
  }
  await migrateLedger(config.postgresUrl, reporter);
  const subjects = `${config.registryUrl}/subjects`;
  const registry = await waitUntil(() => httpAnswers(subjects), {
    timeoutMs: stackLimits.registryHealthTimeoutMs,
  });
  if (registry.kind !== 'ok') {
    throw failures.healthTimeout(
      'registry',
      stackLimits.registryHealthTimeoutMs,
      `GET ${subjects}`,
      "the registry's log",
    );
  }
  const kafka = createKafkaClient({
    clientId: 'ledger-provision',
    brokers: config.kafkaBrokers,
    logger: options.logger,
  });
  await provisionTopicsAndSchemas(kafka, config, options);
}
