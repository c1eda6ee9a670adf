import { setTimeout as sleep } from 'node:timers/promises';
import { restartLocalCluster } from '@ledger/infra/localServices/postgres';
import { ensureRedis, redisCommand, parseRedisUrl } from '@ledger/infra/localServices/redis';
import { stackPaths } from '@ledger/infra/paths';
import { canConnect } from '@ledger/infra/processes/portCheck';
import { waitUntil } from '@ledger/infra/supervisor/waitFor';
import { readStackState } from '@ledger/infra/stack/stateFile';
import {
  createKafkaClient,
  createLogger,
  kafkaNodeAddresses,
  topicNames,
  type StackConfig,
} from '@ledger/runtime';
import type { Admin } from 'kafkajs';
import { startChild, tsxArgs } from '../stack/childProcess.ts';

/**
 * The parts the fault suite may kill, supervised by `up`: the four services and the broker
 * (`kafka`), or one node of a cluster (`kafka-2`, see infra/src/kafka/kafkaNode.ts).
 */
export type PartName =
  'kafka' | `kafka-${number}` | 'command-api' | 'ledger-processor' | 'projector' | 'query-api';
export const servicesOfStack = [
  'command-api',
  'ledger-processor',
  'projector',
  'query-api',
] as const;

export interface FaultContext {
  readonly config: StackConfig;
  readonly repoRoot: string;
  readonly logsDir: string;
}

/** Which stacks a group fits: one broker (`up`), a cluster (`up --brokers 3`), or either. */
export type Topology = 'single-broker' | 'cluster' | 'any';

/**
 * One fault: `inject` breaks something for real and resolves when the broken part is back (the
 * dependency accepts connections again, the supervisor restarted the process), with the parts
 * it killed; recovery is timed from there. The supervisor should count one death for each part
 * killed; any other death in the stack during the group is a failure.
 */
export interface FaultGroup {
  readonly name: string;
  readonly description: string;
  readonly topology: Topology;
  /** Services whose /readyz must answer 503 at least once while the fault lasts. */
  readonly expectNotReady: readonly (typeof servicesOfStack)[number][];
  /** No service's /readyz may answer 503 while the fault lasts (a dependency it may lack). */
  readonly staysReady: boolean;
  /** Part of the short set `npm test` runs. */
  readonly short: boolean;
  /** The longest a client may wait for an acknowledgement during the group; unset: no bound. */
  readonly pauseMaxSeconds?: number;
  inject(context: FaultContext): Promise<readonly PartName[]>;
  /** After recovery was measured: waits until what was broken is whole, for the next group. */
  restore?(context: FaultContext): Promise<void>;
}

/** How long Redis stays down: long enough for every client to notice and run degraded. */
const redisDownMs = 5_000;
/** A second processor's life in the scale group: joins, takes partitions, leaves. */
const extraProcessorLifeMs = 15_000;
const partRestartWaitMs = 120_000;

export const faultGroups: readonly FaultGroup[] = [
  {
    name: 'postgres-restart',
    description: 'pg_ctlcluster restart -m fast (every session terminated)',
    topology: 'any',
    // A fast restart takes about a second: too short to assert a probe sees it.
    expectNotReady: [],
    staysReady: false,
    short: true,
    inject: async ({ config }) => {
      await restartLocalCluster(config.postgresUrl);
      return [];
    },
  },
  {
    name: 'broker-kill',
    description: 'SIGKILL of the Kafka broker; the supervisor restarts it',
    topology: 'single-broker',
    // Every service needs the broker: each must say so while it is gone.
    expectNotReady: [...servicesOfStack],
    staysReady: false,
    short: true,
    inject: async ({ config }) => {
      await killPart('kafka');
      const [host = '127.0.0.1', port = '9092'] = (config.kafkaBrokers[0] ?? '').split(':');
      await waitOrThrow(`${host}:${port} did not open`, () => canConnect(Number(port), host));
      return ['kafka'];
    },
  },
  {
    name: 'broker-kill-one',
    description:
      'SIGKILL of the cluster node leading most command partitions; the others lead on, ' +
      'the supervisor restarts it',
    topology: 'cluster',
    // Replication 3, min ISR 2: the cluster writes on, and no client may wait over 10 s. A
    // /readyz may still answer 503 for a moment: its Kafka check refuses a partition between
    // two leaders (runtime/src/dependencyChecks.ts), or fails on a connection to the dead node.
    expectNotReady: [],
    staysReady: false,
    short: true,
    pauseMaxSeconds: 10,
    // Timed from the kill: what is measured is the pause the loss of a node causes.
    inject: async ({ config }) => {
      const node = await busiestNode(config);
      await killPart(node, { waitForRestart: false });
      return [node];
    },
    restore: async ({ config }) => {
      for (const node of kafkaNodeAddresses(config)) {
        const [part, port] = [`kafka-${node.nodeId}` as const, node.brokerPort];
        await waitOrThrow(`${part} was not back`, async () => {
          const pid = (await partPids())[part];
          return pid !== undefined && (await canConnect(port));
        });
      }
    },
  },
  {
    name: 'redis-restart',
    description: `Redis SHUTDOWN NOSAVE, down ${redisDownMs / 1_000} s, started again`,
    topology: 'any',
    // Redis carries only conveniences: no service may go unready without it.
    expectNotReady: [],
    staysReady: true,
    short: true,
    inject: async ({ config, repoRoot }) => {
      const { host, port } = parseRedisUrl(config.redisUrl);
      await redisCommand(host, port, ['SHUTDOWN', 'NOSAVE']);
      await sleep(redisDownMs);
      await ensureRedis(config.redisUrl, `${repoRoot}/.stack`, { line: () => undefined });
      return [];
    },
  },
  ...(['ledger-processor', 'projector', 'query-api', 'command-api'] as const).map(
    (service): FaultGroup => ({
      name: `${service}-kill`,
      description: `SIGKILL of ${service}; the supervisor restarts it`,
      topology: 'any',
      expectNotReady: [],
      staysReady: false,
      short: false,
      // Recovery is timed from the kill itself: the restart is part of what is measured.
      inject: async () => {
        await killPart(service, { waitForRestart: false });
        return [service];
      },
    }),
  ),
  {
    name: 'processor-scale',
    description: `a second ledger-processor joins for ${extraProcessorLifeMs / 1_000} s, then stops`,
    topology: 'any',
    expectNotReady: [],
    staysReady: false,
    short: false,
    inject: async ({ repoRoot, logsDir }) => {
      const child = startChild({
        name: 'extra-processor',
        command: process.execPath,
        args: tsxArgs('ledger-processor/src/main.ts'),
        cwd: repoRoot,
        env: { ...process.env, LEDGER_PROCESSOR_PORT: '0' },
        logFile: `${logsDir}/extra-processor.log`,
      });
      await child.waitForLine((line) => line.includes('"consuming"'), partRestartWaitMs);
      await sleep(extraProcessorLifeMs);
      await child.stop('SIGTERM', 30_000);
      return [];
    },
  },
];

/** Runs `use` with a Kafka admin of the suite's, connected to the stack's brokers. */
export async function withSuiteAdmin<T>(
  config: StackConfig,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const kafka = createKafkaClient({
    clientId: 'fault-suite',
    brokers: config.kafkaBrokers,
    logger: createLogger({ level: 'warn' }),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The cluster node that leads most partitions of the commands topic: its loss moves the most. */
function busiestNode(config: StackConfig): Promise<`kafka-${number}`> {
  return withSuiteAdmin(config, async (admin) => {
    const topic = topicNames(config.topicPrefix).commands;
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const led = new Map<number, number>();
    for (const partition of metadata.topics[0]?.partitions ?? []) {
      led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
    }
    const [nodeId = 1] = [...led.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    return `kafka-${nodeId}` as const;
  });
}

/** Deaths the supervisor counted per part since the stack started (state.json). */
export async function partDeaths(): Promise<Record<string, number>> {
  const state = await readStackState(stackPaths().stateFile);
  return Object.fromEntries((state?.parts ?? []).map((part) => [part.name, part.deaths ?? 0]));
}

/** Nodes of the Kafka cluster the running stack started (state.json; older files: one). */
export async function stackKafkaNodes(): Promise<number> {
  return (await readStackState(stackPaths().stateFile))?.kafkaNodes ?? 1;
}

/** The pids `up` supervises now, by part name. */
export async function partPids(): Promise<Record<string, number>> {
  const state = await readStackState(stackPaths().stateFile);
  return Object.fromEntries((state?.parts ?? []).map((part) => [part.name, part.pid]));
}

/** SIGKILLs a supervised part and, unless told not to, waits until the supervisor runs a new one. */
async function killPart(name: PartName, options = { waitForRestart: true }): Promise<void> {
  const before = (await partPids())[name];
  if (before === undefined) throw new Error(`${name} is not supervised by a running stack`);
  process.kill(before, 'SIGKILL');
  if (!options.waitForRestart) return;
  await waitOrThrow(`${name} was not restarted`, async () => {
    const now = (await partPids())[name];
    return now !== undefined && now !== before;
  });
}

async function waitOrThrow(what: string, condition: () => Promise<boolean>): Promise<void> {
  const outcome = await waitUntil(condition, { timeoutMs: partRestartWaitMs });
  if (outcome.kind !== 'ok') throw new Error(`${what} within ${partRestartWaitMs} ms`);
}
