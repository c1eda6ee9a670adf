import { intFromEnv, stringFromEnv } from './limits.ts';

/**
 * Where the stack's parts listen and what they are called. One source for infra (which starts
 * them), the services (which connect to them) and docker-compose.yml (kept in step by a test).
 */
export interface StackConfig {
  readonly kafkaBrokers: readonly string[];
  /** KRaft nodes of the local cluster, each broker and controller: 1, or 3 for replication. */
  readonly kafkaNodes: number;
  /** Node 1's ports; node n listens on these plus `kafkaNodePortStep` × (n − 1). */
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
/** One JVM per node: more than three would not fit two cores (and stackLimits.partsMax). */
export const kafkaNodesMax = 3;
export const kafkaNodePortStep = 10;

/** One local KRaft node's id and ports (node ids count from 1, as Kafka's do). */
export interface KafkaNodeAddress {
  readonly nodeId: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
}

export function kafkaNodeAddresses(
  config: Pick<StackConfig, 'kafkaNodes' | 'kafkaPort' | 'kafkaControllerPort'>,
): KafkaNodeAddress[] {
  return Array.from({ length: config.kafkaNodes }, (_, index) => ({
    nodeId: index + 1,
    brokerPort: config.kafkaPort + index * kafkaNodePortStep,
    controllerPort: config.kafkaControllerPort + index * kafkaNodePortStep,
  }));
}

export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const port = (name: string, fallback: number): number =>
    intFromEnv(env, name, fallback, { min: 1, max: portMax });
  // A service may listen on port 0 (any free port): tests run several side by side.
  const servicePort = (name: string, fallback: number): number =>
    intFromEnv(env, name, fallback, { min: 0, max: portMax });
  const kafkaPort = port('LEDGER_KAFKA_PORT', 9092);
  const kafkaControllerPort = port('LEDGER_KAFKA_CONTROLLER_PORT', 9093);
  const kafkaNodes = intFromEnv(env, 'LEDGER_KAFKA_NODES', 1, { min: 1, max: kafkaNodesMax });
  const lastNode = kafkaPort + (kafkaNodes - 1) * kafkaNodePortStep;
  if (Math.max(lastNode, kafkaControllerPort + lastNode - kafkaPort) > portMax) {
    throw new Error(`LEDGER_KAFKA_NODES=${kafkaNodes}: node ports would pass ${portMax}`);
  }
  const localBrokers = kafkaNodeAddresses({ kafkaNodes, kafkaPort, kafkaControllerPort })
    .map((node) => `127.0.0.1:${node.brokerPort}`)
    .join(',');
  const registryPort = port('LEDGER_REGISTRY_PORT', 8085);
  const pgHost = stringFromEnv(env, 'LEDGER_PG_HOST', '127.0.0.1');
  const pgPort = port('LEDGER_PG_PORT', 5432);
  const pgUser = stringFromEnv(env, 'LEDGER_PG_USER', 'postgres');
  const pgDatabase = stringFromEnv(env, 'LEDGER_PG_DATABASE', ledgerName(kafkaNodes));
  return {
    kafkaBrokers: stringFromEnv(env, 'LEDGER_KAFKA_BROKERS', localBrokers).split(','),
    kafkaNodes,
    kafkaPort,
    kafkaControllerPort,
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
    topicPrefix: stringFromEnv(env, 'LEDGER_TOPIC_PREFIX', ledgerName(kafkaNodes)),
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

/**
 * The default database and topic prefix (which also prefixes the Redis keys). A cluster of several
 * nodes is another Kafka cluster than the single node's: the ledger's positions in Postgres and its
 * idempotency keys in Redis belong to one cluster, so each topology keeps a ledger of its own.
 */
function ledgerName(kafkaNodes: number): string {
  return kafkaNodes === 1 ? 'ledger' : `ledger_n${kafkaNodes}`;
}

/** Topic names of the contract (docs/contract.md), under a configurable prefix (tests use their own). */
export function topicNames(prefix: string) {
  return {
    commands: `${prefix}.commands`,
    commandsDlq: `${prefix}.commands.dlq`,
    events: `${prefix}.events`,
    balances: `${prefix}.balances`,
  } as const;
}
export type TopicNames = ReturnType<typeof topicNames>;
