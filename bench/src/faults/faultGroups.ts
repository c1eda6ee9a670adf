import { setTimeout as sleep } from 'node:timers/promises';
import { restartLocalCluster } from '@ledger/infra/localServices/postgres';
import { ensureRedis, redisCommand, parseRedisUrl } from '@ledger/infra/localServices/redis';
import { stackPaths } from '@ledger/infra/paths';
import { canConnect } from '@ledger/infra/processes/portCheck';
import { waitUntil } from '@ledger/infra/supervisor/waitFor';
import { readStackState } from '@ledger/infra/stack/stateFile';
import type { StackConfig } from '@ledger/runtime';
import { startChild, tsxArgs } from '../stack/childProcess.ts';

/** The parts the fault suite may kill: the broker and the four services, supervised by `up`. */
export type PartName = 'kafka' | 'command-api' | 'ledger-processor' | 'projector' | 'query-api';
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

/**
 * One fault: `inject` breaks something for real and resolves when the broken part is back (the
 * dependency accepts connections again, the supervisor restarted the process); recovery is timed
 * from there. `expectedDeaths` names the part whose death the supervisor should see (a kill);
 * any other death in the stack during the group is a failure.
 */
export interface FaultGroup {
  readonly name: string;
  readonly description: string;
  readonly expectedDeaths: readonly PartName[];
  /** Services whose /readyz must answer 503 at least once while the fault lasts. */
  readonly expectNotReady: readonly (typeof servicesOfStack)[number][];
  /** No service's /readyz may answer 503 while the fault lasts (a dependency it may lack). */
  readonly staysReady: boolean;
  /** Part of the short set `npm test` runs. */
  readonly short: boolean;
  inject(context: FaultContext): Promise<void>;
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
    expectedDeaths: [],
    // A fast restart takes about a second: too short to assert a probe sees it.
    expectNotReady: [],
    staysReady: false,
    short: true,
    inject: ({ config }) => restartLocalCluster(config.postgresUrl),
  },
  {
    name: 'broker-kill',
    description: 'SIGKILL of the Kafka broker; the supervisor restarts it',
    expectedDeaths: ['kafka'],
    // Every service needs the broker: each must say so while it is gone.
    expectNotReady: [...servicesOfStack],
    staysReady: false,
    short: true,
    inject: async ({ config }) => {
      await killPart('kafka');
      const [host = '127.0.0.1', port = '9092'] = (config.kafkaBrokers[0] ?? '').split(':');
      await waitOrThrow(`${host}:${port} did not open`, () => canConnect(Number(port), host));
    },
  },
  {
    name: 'redis-restart',
    description: `Redis SHUTDOWN NOSAVE, down ${redisDownMs / 1_000} s, started again`,
    expectedDeaths: [],
    // Redis carries only conveniences: no service may go unready without it.
    expectNotReady: [],
    staysReady: true,
    short: true,
    inject: async ({ config, repoRoot }) => {
      const { host, port } = parseRedisUrl(config.redisUrl);
      await redisCommand(host, port, ['SHUTDOWN', 'NOSAVE']);
      await sleep(redisDownMs);
      await ensureRedis(config.redisUrl, `${repoRoot}/.stack`, { line: () => undefined });
    },
  },
  ...(['ledger-processor', 'projector', 'query-api', 'command-api'] as const).map(
    (service): FaultGroup => ({
      name: `${service}-kill`,
      description: `SIGKILL of ${service}; the supervisor restarts it`,
      expectedDeaths: [service],
      expectNotReady: [],
      staysReady: false,
      short: false,
      // Recovery is timed from the kill itself: the restart is part of what is measured.
      inject: async () => {
        await killPart(service, { waitForRestart: false });
      },
    }),
  ),
  {
    name: 'processor-scale',
    description: `a second ledger-processor joins for ${extraProcessorLifeMs / 1_000} s, then stops`,
    expectedDeaths: [],
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
    },
  },
];

/** Deaths the supervisor counted per part since the stack started (state.json). */
export async function partDeaths(): Promise<Record<string, number>> {
  const state = await readStackState(stackPaths().stateFile);
  return Object.fromEntries((state?.parts ?? []).map((part) => [part.name, part.deaths ?? 0]));
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
