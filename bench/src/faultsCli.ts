// `npm run faults [-- --groups a,b] [--rounds N] [--short] [--seed N] [--brokers N]`: the fault suite against
// the supervised local stack (started if none runs). Prints a table; exit 1 when a group fails.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStackConfig } from '@ledger/runtime';
import { faultGroupsNamed, faultTable, runFaults } from './faults/runFaults.ts';

const usage = `usage: npm run faults [-- options]
  --groups a,b   only these groups (default: all; see bench/README.md "Fault suite")
  --short        only the groups npm test runs (postgres-restart, broker-kill, redis-restart)
  --rounds N     every group N times in a row (default 1)
  --brokers N    against a stack of N Kafka nodes (npm start -- --brokers 3; default 1): the
                 groups that fit it (broker-kill for one, broker-kill-one for a cluster)
  --seed N       workload seed (default: from the clock)`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const roundsMax = 10;

async function main(argv: readonly string[]): Promise<number> {
  let names: string[] | undefined;
  let rounds = 1;
  let short = false;
  let seed = Date.now() % 2_147_483_647;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--groups') names = (argv[++index] ?? '').split(',').filter(Boolean);
    else if (arg === '--rounds') rounds = Number(argv[++index]);
    else if (arg === '--seed') seed = Number(argv[++index]);
    else if (arg === '--short') short = true;
    else if (arg === '--brokers') process.env.LEDGER_KAFKA_NODES = argv[++index] ?? '';
    else {
      console.error(arg === '--help' ? usage : `unknown option ${arg ?? ''}\n${usage}`);
      return 2;
    }
  }
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > roundsMax) {
    console.error(`--rounds must be 1..${roundsMax}\n${usage}`);
    return 2;
  }
  // Also the stack `runFaults` starts when none runs: its child inherits the environment.
  const groups = faultGroupsNamed(names, short, readStackConfig().kafkaNodes);
  const logsDir = join(repoRoot, 'bench', 'results', 'faults-logs');
  await mkdir(logsDir, { recursive: true });
  console.log(
    `fault suite: ${groups.map((group) => group.name).join(', ')} × ${rounds}, seed ${seed}`,
  );
  const rows = await runFaults({
    repoRoot,
    logsDir,
    groups,
    rounds,
    seed,
    onRow: (row) =>
      console.log(
        `  ${row.group} #${row.round}: ready ${row.readySeconds.toFixed(1)} s, visible ` +
          `${row.visibleSeconds.toFixed(1)} s, ${row.traffic.acknowledged.length} acknowledged, ` +
          `${row.failures.length === 0 ? 'pass' : `FAIL: ${row.failures.join('; ')}`}`,
      ),
  });
  console.log(`\n${faultTable(rows)}`);
  for (const row of rows) {
    if (row.diagnostics !== undefined) {
      console.log(`\n${row.group} #${row.round} failed; what the stack said:\n${row.diagnostics}`);
    }
  }
  return rows.every((row) => row.failures.length === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
