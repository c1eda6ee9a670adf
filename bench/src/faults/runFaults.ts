import { setTimeout as sleep } from 'node:timers/promises';
import { createPostgresPool, readStackConfig, topicNames, type StackConfig } from '@ledger/runtime';
import type pg from 'pg';
import { auditSchema, type AuditResult } from '../audit/ledgerAudit.ts';
import { ensureStack, type StackSession } from '../stack/stackSession.ts';
import {
  faultGroups,
  partDeaths,
  servicesOfStack,
  stackKafkaNodes,
  withSuiteAdmin,
  type FaultContext,
  type FaultGroup,
  type Topology,
} from './faultGroups.ts';
import {
  allReady,
  probeVisible,
  secondsUntil,
  seedAccounts,
  settle,
  watchReadiness,
} from './faultProbes.ts';
import { diagnoseFailure } from './faultDiagnostics.ts';
import { startTraffic, type TrafficResult } from './faultTraffic.ts';

/**
 * The fault suite: against the supervised stack (`stackCli up`), a seeded transfer workload flows
 * while each group breaks one thing for real; then it measures how long until every service is
 * ready and a new transfer is applied and visible in the query API, and audits the ledger: every
 * acknowledged command decided, nothing doubled, versions gapless, conservation, all published.
 */
export interface FaultRow {
  readonly group: string;
  readonly round: number;
  /** From the fault's end (dependency back, or the kill) to every /readyz answering 200. */
  readonly readySeconds: number;
  /** From the fault's end to a new transfer applied and read back at its version. */
  readonly visibleSeconds: number;
  readonly traffic: TrafficResult;
  /** Services whose /readyz answered 503 (or nothing) while the fault lasted. */
  readonly notReadyDuringFault: readonly string[];
  /** Deaths the supervisor counted that the group did not cause on purpose. */
  readonly unexpectedDeaths: Record<string, number>;
  readonly audit: AuditResult;
  readonly failures: readonly string[];
  /** For a failed group: readiness and the logs' last warnings and errors (faultDiagnostics.ts). */
  readonly diagnostics?: string;
}

/** The acceptance's bound: after a dependency is back, a new transfer visible within this. */
export const recoveryBoundSeconds = 10;
const warmupMs = 3_000;
const afterRecoveryMs = 3_000;
const auditPoolMax = 2;

export async function runFaults(options: {
  readonly repoRoot: string;
  readonly logsDir: string;
  readonly groups: readonly FaultGroup[];
  readonly rounds: number;
  readonly seed: number;
  readonly onRow?: (row: FaultRow) => void;
  /** Delete the stack's topics before stopping it: a run on a prefix of its own (the tests). */
  readonly deleteTopicsAfter?: boolean;
}): Promise<FaultRow[]> {
  const config = readStackConfig();
  const stack = await ensureStack({ repoRoot: options.repoRoot, logsDir: options.logsDir, config });
  const pool = createPostgresPool({
    connectionString: config.postgresUrl,
    schema: process.env.LEDGER_PG_SCHEMA ?? 'ledger',
    max: auditPoolMax,
    applicationName: 'fault-suite',
  });
  try {
    if (stack.started.some((what) => servicesOfStack.some((service) => what === service))) {
      throw new Error(
        'the running stack is --deps-only: the fault suite needs the services supervised by ' +
          '`npm run stack -- up` (stop the other stack with `npm run stack -- down`)',
      );
    }
    const runningNodes = await stackKafkaNodes();
    if (runningNodes !== config.kafkaNodes) {
      throw new Error(
        `the running stack has ${runningNodes} Kafka node(s), the suite was asked for ` +
          `${config.kafkaNodes}: stop it first (npm run stack -- down)`,
      );
    }
    const runPrefix = `f${Date.now().toString(36)}-`;
    const accounts = await seedAccounts(stack, runPrefix);
    const context: FaultContext = { config, repoRoot: options.repoRoot, logsDir: options.logsDir };
    const rows: FaultRow[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const group of options.groups) {
        const row = await runGroup({
          stack,
          pool,
          context,
          group,
          round,
          accounts,
          idPrefix: `${runPrefix}${group.name.slice(0, 12)}-${round}-`,
          runPrefix,
          seed: options.seed + round,
        });
        rows.push(row);
        options.onRow?.(row);
      }
    }
    return rows;
  } finally {
    await pool.end();
    if (options.deleteTopicsAfter === true) await deleteStackTopics(config);
    await stack.stop();
  }
}

export function deleteStackTopics(config: StackConfig): Promise<void> {
  return withSuiteAdmin(config, async (admin) => {
    const names = Object.values(topicNames(config.topicPrefix));
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: names.filter((name) => existing.has(name)) });
  });
}

async function runGroup(run: {
  stack: StackSession;
  pool: pg.Pool;
  context: FaultContext;
  group: FaultGroup;
  round: number;
  accounts: readonly string[];
  idPrefix: string;
  runPrefix: string;
  seed: number;
}): Promise<FaultRow> {
  const { stack, group } = run;
  const failures: string[] = [];
  const startedAtMs = Date.now();
  const deathsBefore = await partDeaths();
  const traffic = startTraffic({
    commandApiUrl: stack.urls['command-api'],
    accountIds: run.accounts,
    idPrefix: run.idPrefix,
    seed: run.seed,
  });
  await sleep(warmupMs);
  // Watched until recovered: a service may notice a dependency's loss only after it is back.
  const watch = watchReadiness(stack);
  let killed: readonly string[] = [];
  let readySeconds: number;
  let visibleSeconds: number;
  try {
    killed = await group.inject(run.context);
    const backAtMs = Date.now();
    [readySeconds, visibleSeconds] = await Promise.all([
      secondsUntil(backAtMs, () => allReady(stack)),
      secondsUntil(backAtMs, () => probeVisible(stack, run.accounts, `${run.idPrefix}probe`)),
    ]);
  } finally {
    watch.stop();
  }
  const notReadyDuringFault = [...watch.notReady];
  await group.restore?.(run.context);
  await sleep(afterRecoveryMs);
  const result = await traffic.stop();
  await settle(run.pool, result.acknowledged);
  const audit = await auditSchema(run.pool, {
    schema: process.env.LEDGER_PG_SCHEMA ?? 'ledger',
    runPrefix: run.idPrefix,
    acceptedCommandIds: result.acknowledged,
    hasOutbox: true,
  });
  const deathsAfter = await partDeaths();
  const unexpectedDeaths: Record<string, number> = {};
  for (const [part, count] of Object.entries(deathsAfter)) {
    const expected = killed.includes(part) ? 1 : 0;
    const extra = count - (deathsBefore[part] ?? 0) - expected;
    if (extra > 0) unexpectedDeaths[part] = extra;
  }
  if (!Number.isFinite(readySeconds)) failures.push('not every service became ready');
  const stayedReady = group.expectNotReady.filter((service) => !watch.notReady.has(service));
  if (stayedReady.length > 0) {
    failures.push(`/readyz stayed 200 while the fault lasted: ${stayedReady.join(', ')}`);
  }
  if (group.staysReady && notReadyDuringFault.length > 0) {
    failures.push(`/readyz went 503 while the fault lasted: ${notReadyDuringFault.join(', ')}`);
  }
  if (!(visibleSeconds <= recoveryBoundSeconds)) {
    failures.push(
      `new transfer visible after ${visibleSeconds.toFixed(1)} s (> ${recoveryBoundSeconds} s)`,
    );
  }
  const pauseMax = group.pauseMaxSeconds;
  if (pauseMax !== undefined && result.longestWaitSeconds > pauseMax) {
    failures.push(
      `a client waited ${result.longestWaitSeconds.toFixed(1)} s for an acknowledgement (> ${pauseMax} s)`,
    );
  }
  if (Object.keys(unexpectedDeaths).length > 0) {
    failures.push(`unexpected deaths: ${JSON.stringify(unexpectedDeaths)}`);
  }
  for (const check of audit.checks) if (!check.ok) failures.push(`${check.name}: ${check.detail}`);
  if (result.refused.length > 0) failures.push(`refused: ${result.refused.slice(0, 3).join('; ')}`);
  const diagnostics = failures.length > 0 ? await diagnoseFailure(stack, startedAtMs) : undefined;
  return {
    group: group.name,
    round: run.round,
    readySeconds,
    visibleSeconds,
    traffic: result,
    notReadyDuringFault,
    unexpectedDeaths,
    audit,
    failures,
    ...(diagnostics === undefined ? {} : { diagnostics }),
  };
}

/**
 * The groups to run: those named, or all (the short ones with `short`) that fit the stack's
 * topology, a single broker or a cluster (`kafkaNodes`, see LEDGER_KAFKA_NODES).
 */
export function faultGroupsNamed(
  names: readonly string[] | undefined,
  short: boolean,
  kafkaNodes: number,
): FaultGroup[] {
  const topology: Topology = kafkaNodes === 1 ? 'single-broker' : 'cluster';
  const fits = (group: FaultGroup) => group.topology === 'any' || group.topology === topology;
  if (names === undefined)
    return faultGroups.filter((group) => fits(group) && (!short || group.short));
  return names.map((name) => {
    const group = faultGroups.find((candidate) => candidate.name === name);
    if (group === undefined) {
      throw new Error(
        `no fault group ${name}; groups: ${faultGroups.map((g) => g.name).join(', ')}`,
      );
    }
    if (!fits(group)) {
      throw new Error(
        `${name} needs a ${group.topology === 'cluster' ? 'cluster: --brokers 3' : 'single broker: --brokers 1'}`,
      );
    }
    return group;
  });
}

/** The table the CLI prints and the note quotes. */
export function faultTable(rows: readonly FaultRow[]): string {
  const lines = [
    '| group | round | not ready while broken | ready (s) | new transfer visible (s) | acknowledged | retries | replayed | longest client wait (s) | unexpected deaths | audit | result |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const deaths = Object.entries(row.unexpectedDeaths)
      .map(([part, count]) => `${part} ${count}`)
      .join(', ');
    lines.push(
      `| ${row.group} | ${row.round} | ${row.notReadyDuringFault.join(', ') || '—'} | ${row.readySeconds.toFixed(1)} | ${row.visibleSeconds.toFixed(1)} | ` +
        `${row.traffic.acknowledged.length} | ${row.traffic.retries} | ${row.traffic.replayed} | ` +
        `${row.traffic.longestWaitSeconds.toFixed(1)} | ${deaths || '0'} | ` +
        `${row.audit.ok ? 'ok' : 'FAILED'} | ${row.failures.length === 0 ? 'pass' : `FAIL: ${row.failures.join('; ')}`} |`,
    );
  }
  return lines.join('\n');
}
