// The local stack without Docker: `up [--deps-only] [--verbose]`, `status`, `down`.
// See infra/README.md "The local stack"; the contract scripts rely on:
// - `up` prints one line containing `stack ready` once every part is healthy, then stays in the
//   foreground until SIGINT/SIGTERM and stops exactly what it started;
// - `up` while this checkout's stack runs prints `stack already running (pid N, …) since …,
//   reusing it: <urls>` and exits 0 without `stack ready`;
// - any failure prints one line `<part>: <cause>: <fix>` and exits 1.
import { kafkaNodesMax, readStackConfig } from '@ledger/runtime';
import { describeFailure } from '../failures.ts';
import { stackPaths } from '../paths.ts';
import { createConsoleReporter } from '../reporter.ts';
import { stackDown } from '../stack/stackDown.ts';
import { createStackLogger } from '../stack/stackLogger.ts';
import { stackStatus } from '../stack/stackStatus.ts';
import { stackUp } from '../stack/stackUp.ts';
import { provision } from '../stack/provision.ts';

const usage = `usage: stackCli.ts <command>
  up [--deps-only] [--verbose] [--brokers N]
                                start the stack in the foreground (Ctrl-C stops what it started);
                                --brokers 3: a 3-node KRaft cluster (N ≤ 3), replication 3,
                                min ISR 2, with a database and topic prefix of its own
                                (the same as LEDGER_KAFKA_NODES=3)
  status                        what runs, with pids and health (exit 3 when nothing runs)
  provision                     against a Kafka, registry and Postgres running elsewhere (LEDGER_*):
                                database, migrations, topics, schemas; starts nothing
  down                          stop a stack started by another up`;

const brokerCounts = Array.from({ length: kafkaNodesMax }, (_, index) => String(index + 1));

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const brokersAt = rest.indexOf('--brokers');
  const brokers = brokersAt === -1 ? undefined : (rest[brokersAt + 1] ?? '');
  const flags =
    brokersAt === -1 ? rest : rest.filter((_, i) => i !== brokersAt && i !== brokersAt + 1);
  const known = new Set(['--deps-only', '--verbose']);
  const unknown = flags.filter((flag) => !known.has(flag));
  const misplaced = command !== 'up' && rest.length > 0;
  if (command === undefined || unknown.length > 0 || misplaced) {
    console.error(unknown.length > 0 ? `unknown option ${unknown.join(' ')}\n${usage}` : usage);
    return 2;
  }
  if (brokers !== undefined && !brokerCounts.includes(brokers)) {
    console.error(`--brokers must be one of ${brokerCounts.join(', ')}\n${usage}`);
    return 2;
  }
  // The services read it too: `up` passes its environment to every part.
  if (brokers !== undefined) process.env.LEDGER_KAFKA_NODES = brokers;
  const config = readStackConfig();
  const paths = stackPaths();
  const reporter = createConsoleReporter();
  switch (command) {
    case 'up': {
      const stackLog = createStackLogger(paths.logsDir);
      try {
        return await stackUp({
          paths,
          config,
          depsOnly: flags.includes('--deps-only'),
          verbose: flags.includes('--verbose'),
          reporter,
          logger: stackLog.logger,
          print: (line) => console.log(line),
          printError: (line) => console.error(line),
        });
      } finally {
        await stackLog.close();
      }
    }
    case 'status': {
      const { lines, code } = await stackStatus(paths, config);
      for (const line of lines) console.log(line);
      return code;
    }
    case 'provision': {
      const stackLog = createStackLogger(paths.logsDir);
      try {
        await provision(config, { reporter, logger: stackLog.logger });
        console.log('provisioned');
        return 0;
      } finally {
        await stackLog.close();
      }
    }
    case 'down':
      return stackDown(paths, config, reporter);
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(1);
  },
);
