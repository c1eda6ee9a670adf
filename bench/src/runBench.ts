import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createPostgresPool, readStackConfig } from '@ledger/runtime';
import type pg from 'pg';
import { auditSchema, type AuditResult } from './audit/ledgerAudit.ts';
import { startBaseline, type RunningBaseline } from './baselines/baselineProcess.ts';
import { naiveSchema, prepareNaiveSchema, seedNaiveAccounts } from './baselines/naiveSchema.ts';
import { clientLimits, type BenchProfile } from './benchProfile.ts';
import { accountSet } from './load/workload.ts';
import { Timeline } from './metrics/timeline.ts';
import type { BenchResults, MachineInfo } from './report/benchResults.ts';
import { AcceptedLog, type BenchContext } from './scenarios/benchContext.ts';
import { runBatchTransfers, type BatchRun } from './scenarios/batchThroughput.ts';
import { runBurst, type BurstResults } from './scenarios/burst.ts';
import { waitForCaughtUp } from './scenarios/drain.ts';
import { runGrowth, type GrowthResults } from './scenarios/growth.ts';
import { runMemory, type MemoryResult } from './scenarios/memory.ts';
import { runReadScenarios, type ReadResults } from './scenarios/readScenarios.ts';
import { runSingleTransfers, type SingleRun } from './scenarios/singleTransfers.ts';
import { runVisibility, type VisibilityResult } from './scenarios/visibility.ts';
import { seedAccountSet, type SeedResult } from './seed/seedAccounts.ts';
import { ensureStack } from './stack/stackSession.ts';

/**
 * The whole bench, in order: stack, seeds, reads, sustained batch, visibility, singles vs naive,
 * burst, growth, memory, audit. A failing scenario is recorded and the run goes on, so one
 * missing piece (say, query-api not written yet) never hides the other figures.
 */
export interface RunOptions {
  readonly profile: BenchProfile;
  readonly repoRoot: string;
  readonly resultsDir: string;
  readonly logsDir: string;
  readonly seed: number;
  /** Cleanups run on Ctrl-C as well as at the end. */
  readonly onCleanup: (cleanup: () => Promise<void>) => void;
  /** Where services started by the run write CPU profiles (`--cpu-prof`), if asked. */
  readonly cpuProfileDir: string | undefined;
  /** After Ctrl-C every remaining scenario is skipped. */
  readonly isInterrupted: () => boolean;
}

/** The ledger's audit pool and the naive server's seeding pool: a few connections each. */
const auditPoolMax = 4;

export async function runBench(options: RunOptions): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const stackConfig = readStackConfig();
  const ledgerSchema = process.env.LEDGER_PG_SCHEMA ?? 'ledger';
  const failures: { scenario: string; error: string }[] = [];
  const attempt = async <T>(scenario: string, run: () => Promise<T>): Promise<T | undefined> => {
    if (options.isInterrupted()) return undefined;
    console.log(`\n▶ ${scenario}`);
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.log(`  ✗ ${scenario} failed: ${message}`);
      failures.push({ scenario, error: message });
      return undefined;
    }
  };

  console.log('▶ stack');
  const stack = await ensureStack({
    repoRoot: options.repoRoot,
    logsDir: options.logsDir,
    config: stackConfig,
    ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
  });
  options.onCleanup(() => stack.stop());
  const ledgerPool: pg.Pool = createPostgresPool({
    connectionString: stackConfig.postgresUrl,
    schema: ledgerSchema,
    max: auditPoolMax,
    applicationName: 'bench-audit',
  });
  options.onCleanup(() => ledgerPool.end());
  const timeline = new Timeline({
    processorUrl: stack.urls['ledger-processor'],
    commandApiUrl: stack.urls['command-api'],
    queryApiUrl: stack.urls['query-api'],
  });
  timeline.start();
  const context: BenchContext = {
    profile: options.profile,
    repoRoot: options.repoRoot,
    resultsDir: options.resultsDir,
    logsDir: options.logsDir,
    runTag: `r${Date.now().toString(36)}`,
    seed: options.seed,
    stack,
    postgresUrl: stackConfig.postgresUrl,
    ledgerPool,
    ledgerSchema,
    timeline,
    accepted: new AcceptedLog(),
    loads: [],
  };
  await attempt('waiting for the processor to catch up', () => waitForCaughtUp(context));
  const small = accountSet(options.profile.accountsSmall);
  const large = accountSet(options.profile.accountsLarge);
  const seeds: SeedResult[] = [];

  const seededSmall = await attempt(`seed ${small.name}`, () => seedAccountSet(context, small));
  if (seededSmall === undefined)
    throw new Error(`seeding ${small.name} failed: nothing else can run`);
  seeds.push(seededSmall);

  let naive: RunningBaseline | undefined;
  const naivePool = createPostgresPool({
    connectionString: stackConfig.postgresUrl,
    schema: naiveSchema,
    max: auditPoolMax,
    applicationName: 'bench-naive-seed',
  });
  options.onCleanup(() => naivePool.end());
  await attempt('naive baseline: fresh schema, seed, start', async () => {
    await prepareNaiveSchema(stackConfig.postgresUrl);
    await seedNaiveAccounts(naivePool, small);
    naive = await startBaseline({
      kind: 'naive-write',
      repoRoot: options.repoRoot,
      logsDir: options.logsDir,
      schema: naiveSchema,
    });
    options.onCleanup(() => naive?.stop() ?? Promise.resolve());
    console.log(`  naive baseline on ${naive.url} (${naive.detail})`);
  });

  const reads: ReadResults | undefined = await attempt('reads: bare vs DB-only vs cached', () =>
    runReadScenarios(context, small),
  );
  const sustained: BatchRun | undefined = await attempt(
    'transfers via the batch endpoint, sustained',
    () =>
      runBatchTransfers(context, {
        name: `sustained: batch endpoint, ${small.size} accounts`,
        tagSuffix: 's',
        set: small,
        distribution: 'uniform',
        seconds: options.profile.batchSustainSeconds,
      }),
  );
  const visibility: VisibilityResult | undefined = await attempt(
    'accepted → visible at half max throughput',
    () => runVisibility(context, small, sustained?.appliedPerSecond),
  );
  const singles = await attempt(
    'single transfers: ledger vs naive',
    async (): Promise<{ ledger: SingleRun; naive: SingleRun }> => {
      if (naive === undefined) throw new Error('the naive baseline did not start');
      const shared = {
        set: small,
        connections: clientLimits.connections,
        seconds: options.profile.singleSeconds,
      };
      const ledger = await runSingleTransfers(context, {
        ...shared,
        name: 'singles: ledger command API',
        tagSuffix: 'l',
        target: 'ledger',
        url: stack.urls['command-api'],
      });
      const naiveRun = await runSingleTransfers(context, {
        ...shared,
        name: 'singles: naive design',
        tagSuffix: 'n',
        target: 'naive',
        url: naive.url,
      });
      return { ledger, naive: naiveRun };
    },
  );
  const burst: BurstResults | undefined = await attempt(
    'burst: 1000 concurrent clients',
    async () => {
      if (naive === undefined) throw new Error('the naive baseline did not start');
      return runBurst(context, small, naive.url);
    },
  );

  const seededLarge = await attempt(`seed ${large.name}`, () => seedAccountSet(context, large));
  if (seededLarge !== undefined) seeds.push(seededLarge);
  const growth: GrowthResults | undefined =
    seededLarge === undefined
      ? undefined
      : await attempt('growth: accounts × distribution', () => runGrowth(context, small, large));
  // Its own query-api over rows it writes itself (memory.ts): needs no seeded account set.
  const memory: MemoryResult | undefined = await attempt('memory: query-api RSS', () =>
    runMemory(context, options.profile.memoryCachedAccounts),
  );

  const audits: AuditResult[] = [];
  const ledgerAudit = await attempt(`audit: ledger schema ${ledgerSchema}`, () =>
    auditSchema(ledgerPool, {
      schema: ledgerSchema,
      runPrefix: context.runTag,
      acceptedCommandIds: context.accepted.all(),
      hasOutbox: true,
    }),
  );
  if (ledgerAudit !== undefined) audits.push(ledgerAudit);
  const naiveAudit = await attempt(`audit: naive schema ${naiveSchema}`, () =>
    auditSchema(naivePool, { schema: naiveSchema, runPrefix: context.runTag, hasOutbox: false }),
  );
  if (naiveAudit !== undefined) audits.push(naiveAudit);
  for (const audit of audits) {
    for (const check of audit.checks)
      console.log(
        `  ${check.ok ? 'ok' : 'FAILED'} ${audit.schema}: ${check.name} — ${check.detail}`,
      );
  }
  timeline.stop();

  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: options.profile,
    runTag: context.runTag,
    seed: options.seed,
    machine,
    started: stack.started,
    seeds,
    reads,
    sustained,
    visibility,
    singles,
    burst,
    growth,
    memory,
    audits,
    loads: context.loads,
    timeline: timeline.points,
    phases: timeline.phases,
    failures,
  };
}

function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverageAtStart: loadavg(),
  };
}
