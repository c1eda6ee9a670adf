// `npm run bench [-- --quick] [-- --seed N] [-- --large-accounts N]`: runs the benchmark suite
// against the local stack (started if none runs) and writes bench/results/<timestamp>/ with
// report.md, raw.json, PNG/SVG plots and the logs of what it started. See bench/README.md.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullProfile, quickProfile, type BenchProfile } from './benchProfile.ts';
import { profilesSection, summarizeProfiles } from './report/cpuProfile.ts';
import { writeReport } from './report/reportWriter.ts';
import { runBench } from './runBench.ts';

const usage = `usage: npm run bench [-- options]
  --quick               smoke run (< 3 min with the stack up): short scenarios, small account sets
  --seed N              workload seed (default: from the clock; printed in the report)
  --large-accounts N    size of the large account set (default 1,000,000; quick 20,000)
  --cpu-prof            run the services with --cpu-prof (a stack it starts is --deps-only and the
                        services are its children) and add where their CPU goes to the report
  --help                this text`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
/** The large set is seeded through the API: keep it within what one run can seed. */
const largeAccountsMax = 10_000_000;

interface Args {
  readonly profile: BenchProfile;
  readonly seed: number;
  readonly cpuProfile: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  let profile: BenchProfile = fullProfile;
  let cpuProfile = false;
  let seed = Date.now() % 2_147_483_647;
  let large: number | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const value = () => Number(argv[++index]);
    if (arg === '--quick') profile = quickProfile;
    else if (arg === '--seed') seed = value();
    else if (arg === '--large-accounts') large = value();
    else if (arg === '--cpu-prof') cpuProfile = true;
    else return arg === '--help' ? usage : `unknown option ${arg ?? ''}\n${usage}`;
  }
  if (!Number.isSafeInteger(seed)) return `--seed needs an integer\n${usage}`;
  if (large !== undefined) {
    if (
      !Number.isSafeInteger(large) ||
      large <= profile.accountsSmall ||
      large > largeAccountsMax
    ) {
      return `--large-accounts must be an integer above ${profile.accountsSmall} and at most ${largeAccountsMax}`;
    }
    profile = {
      ...profile,
      accountsLarge: large,
      memoryCachedAccounts: Math.min(profile.memoryCachedAccounts, large),
    };
  }
  return { profile, seed, cpuProfile };
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    console.log(parsed);
    return parsed === usage ? 0 : 2;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(repoRoot, 'bench', 'results', stamp);
  const logsDir = join(resultsDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  console.log(`bench (${parsed.profile.name}): results go to ${resultsDir}`);

  const cleanups: (() => Promise<void>)[] = [];
  // One cleanup however many callers (the end of the run, a signal): the process must not exit
  // while the stack it started is still stopping, or that stack dies half-stopped.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        await cleanup().catch((error: unknown) =>
          console.log(`  cleanup failed: ${String(error)}`),
        );
      }
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.log(`\n${signal}: stopping what this run started`);
    void cleanUp().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A stray rejection must not kill the driver before it stops what it started: say it, go on.
  process.on('unhandledRejection', (reason) => {
    console.log(
      `unhandled rejection (the run goes on): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });

  try {
    const results = await runBench({
      profile: parsed.profile,
      repoRoot,
      resultsDir,
      logsDir,
      seed: parsed.seed,
      cpuProfileDir: parsed.cpuProfile ? join(resultsDir, 'profiles') : undefined,
      onCleanup: (cleanup) => cleanups.push(cleanup),
      isInterrupted: () => interrupted,
    });
    if (interrupted) return 130;
    const { reportPath, table } = await writeReport(results, resultsDir);
    console.log(`\n${table}\n`);
    console.log(`report: ${reportPath}`);
    const auditOk = results.audits.length === 2 && results.audits.every((audit) => audit.ok);
    if (!auditOk) console.log('AUDIT: violations or missing audits, see the report');
    if (parsed.cpuProfile) {
      // Node writes a profile when its process exits: stop the services first, then read them.
      await cleanUp();
      const section = profilesSection(await summarizeProfiles(join(resultsDir, 'profiles')));
      await appendFile(reportPath, `\n${section}\n`);
      console.log(`\n${section}`);
    }
    return auditOk ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
