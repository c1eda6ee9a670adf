import { intFromEnv, stringFromEnv } from './limits.ts';

/**
 * Where the stack's parts listen and what they are called. One source for infra (which starts
 * them), the services (which connect to them) and docker-compose.yml (kept in step by a test).
 */
export interface StackConfig {
  readonly kafkaBrokers: readonly string[];
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly registryPort: number;
  readonly registryUrl: string;
  readonly postgresUrl: string;
  readonly postgresAdminUrl: string;
  readonly redisUrl: string;
  readonly topicPrefix: string;
  readonly topicPartitions: number;
  readonly ports: {
    readonly commandApi: number;
    readonly queryApi: number;
    readonly ledgerProcessor: number;
    readonly projector: number;
  };
}

export const portMax = 65_535;
export const topicPartitionsMax = 256;

export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const port = (name: string, fallback: number): number =>
    intFromEnv(env, name, fallback, { min: 1, max: portMax });
  // A service may listen on port 0 (any free port): tests run several side by side.
  const servicePort = (name: string, fallback: number): number =>
    intFromEnv(env, name, fallback, { min: 0, max: portMax });
  const kafkaPort = port('LEDGER_KAFKA_PORT', 9092);
  const registryPort = port('LEDGER_REGISTRY_PORT', 8085);
  const pgHost = stringFromEnv(env, 'LEDGER_PG_HOST', '127.0.0.1');
  const pgPort = port('LEDGER_PG_PORT', 5432);
  const pgUser = stringFromEnv(env, 'LEDGER_PG_USER', 'postgres');
  const pgDatabase = stringFromEnv(env, 'LEDGER_PG_DATABASE', 'ledger');
  return {
    kafkaBrokers: stringFromEnv(env, 'LEDGER_KAFKA_BROKERS', `127.0.0.1:${kafkaPort}`).split(','),
    kafkaPort,
    kafkaControllerPort: port('LEDGER_KAFKA_CONTROLLER_PORT', 9093),
    registryPort,
    registryUrl: stringFromEnv(
      env,
      'LEDGER_REGISTRY_URL',
      `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    ),
    postgresUrl: stringFromEnv(
      env,
      'LEDGER_PG_URL',
      `postgres://${pgUser}@${pgHost}:${pgPort}/${pgDatabase}`,
    ),
    postgresAdminUrl: stringFromEnv(
      env,
      'LEDGER_PG_ADMIN_URL',
      `postgres://${pgUser}@${pgHost}:${pgPort}/postgres`,
    ),
    redisUrl: stringFromEnv(env, 'LEDGER_REDIS_URL', 'redis://127.0.0.1:6379'),
    topicPrefix: stringFromEnv(env, 'LEDGER_TOPIC_PREFIX', 'ledger'),
    topicPartitions: intFromEnv(env, 'LEDGER_TOPIC_PARTITIONS', 12, {
      min: 1,
      max: topicPartitionsMax,
    }),
    ports: {
      commandApi: servicePort('LEDGER_COMMAND_API_PORT', 8080),
      queryApi: servicePort('LEDGER_QUERY_API_PORT', 8081),
      ledgerProcessor: servicePort('LEDGER_PROCESSOR_PORT', 8082),
      projector: servicePort('LEDGER_PROJECTOR_PORT', 8083),
    },
  };
}

/** Topic names of API.md, under a configurable prefix (tests use their own). */
export function topicNames(prefix: string) {
  return {
    commands: `${prefix}.commands`,
    commandsDlq: `${prefix}.commands.dlq`,
    events: `${prefix}.events`,
    balances: `${prefix}.balances`,
  } as const;
}
export type TopicNames = ReturnType<typeof topicNames>;
