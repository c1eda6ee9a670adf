import { readStackConfig } from '@ledger/runtime';
import pg from 'pg';

/**
 * Points this process's stack settings (the env `stackCli up` and the services inherit) at a
 * database and topics of their own, fresh each run: the database of record must match the Kafka
 * log it consumed (the stack refuses a database that consumed further than its Kafka, e.g. one
 * another checkout's stack used), and a developer's `ledger` data is not a test's to restart
 * things under. The topic prefix is unique per run (a checkout's Kafka keeps its topics between
 * runs); the tests delete those topics at the end.
 */
export async function useFreshLedger(database: string, kafkaNodes: number): Promise<void> {
  process.env.LEDGER_KAFKA_NODES = String(kafkaNodes);
  process.env.LEDGER_PG_DATABASE = database;
  process.env.LEDGER_TOPIC_PREFIX = `${database.replace('ledger_', '')}${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: readStackConfig().postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${database} with (force)`);
  } finally {
    await admin.end();
  }
}
