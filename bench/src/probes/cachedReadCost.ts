// `node scripts/run.mjs bench/src/probes/cachedReadCost.ts --target NAME=CHECKOUT … [--rounds N]
//   [--seconds N] [--connections N]`
//
// CPU microseconds a query API spends per cached balance read, for two (or more) checkouts side
// by side: each target's query-api is started from its own checkout against the running stack
// (on ports 18181, 18182, …, its own consumer group), one account is warmed into every cache, and
// rounds of the same autocannon load run against each target in turn, interleaved, with the
// server's CPU read from /proc around every run. CPU per read moves little with the machine's
// noise, and interleaving spreads what noise there is over every target alike. Used to check
// that tracing and metrics cost a cached read nothing noticeable with no exporter set.
// Needs a running stack with its command API (`npm start`).
import { join } from 'node:path';
import { readStackConfig } from '@ledger/runtime';
import { requestJson } from '../load/httpJson.ts';
import { runLoad } from '../load/loadRun.ts';
import { procCpuSeconds } from '../metrics/processCpu.ts';
import { isReady } from '../stack/stackSession.ts';
import { startChild, tsxArgs, type Child } from '../stack/childProcess.ts';

const targetsMax = 4;
const roundsMax = 20;
const secondsMax = 60;
const firstPort = 18_181;
const readyTimeoutMs = 60_000;
const stopGraceMs = 10_000;
const accountId = 'probe-cached-read';

interface Args {
  readonly targets: readonly { name: string; checkout: string }[];
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
}

function parseArgs(argv: readonly string[]): Args {
  const targets: { name: string; checkout: string }[] = [];
  let rounds = 3;
  let seconds = 10;
  let connections = 8;
  for (let index = 0; index < argv.length; index += 1) {
    const value = argv[index + 1] ?? '';
    const flag = argv[index];
    index += 1;
    if (flag === '--target') {
      const [name, checkout] = value.split('=', 2);
      if (!name || !checkout) throw new Error(`--target NAME=CHECKOUT, not ${value}`);
      targets.push({ name, checkout });
    } else if (flag === '--rounds') rounds = Number(value);
    else if (flag === '--seconds') seconds = Number(value);
    else if (flag === '--connections') connections = Number(value);
    else throw new Error(`unknown option ${flag ?? ''}`);
  }
  const within = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (targets.length === 0 || targets.length > targetsMax) {
    throw new Error(`1 to ${targetsMax} --target NAME=CHECKOUT`);
  }
  if (!within(rounds, roundsMax) || !within(seconds, secondsMax) || !within(connections, 256)) {
    throw new Error(`--rounds ≤ ${roundsMax}, --seconds ≤ ${secondsMax}, --connections ≤ 256`);
  }
  return { targets, rounds, seconds, connections };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = readStackConfig();
  const commandApi = `http://127.0.0.1:${config.ports.commandApi}`;
  const opened = await requestJson(
    'POST',
    `${commandApi}/v1/accounts`,
    JSON.stringify({ accountId, currency: 'USD' }),
    { prefer: 'wait=10' },
  );
  if (opened.status >= 300 && opened.status !== 409) {
    throw new Error(`opening ${accountId}: HTTP ${opened.status} ${JSON.stringify(opened.body)}`);
  }
  const servers: { name: string; url: string; child: Child }[] = [];
  try {
    for (const [index, target] of args.targets.entries()) {
      const port = firstPort + index;
      const child = startChild({
        name: `query-api ${target.name}`,
        command: process.execPath,
        args: tsxArgs(join('query-api', 'src', 'main.ts')),
        cwd: target.checkout,
        env: { ...process.env, LEDGER_QUERY_API_PORT: String(port), LEDGER_LOG_LEVEL: 'warn' },
        logFile: join('/tmp', `cached-read-${target.name}.log`),
      });
      const url = `http://127.0.0.1:${port}`;
      servers.push({ name: target.name, url, child });
      const deadline = Date.now() + readyTimeoutMs;
      while (!(await isReady(url))) {
        if (Date.now() > deadline) throw new Error(`${target.name}: query-api not ready`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const warm = await requestJson('GET', `${url}/v1/accounts/${accountId}/balance`);
      if (warm.status !== 200) throw new Error(`${target.name}: warm-up read HTTP ${warm.status}`);
    }
    const micros = new Map<string, number[]>(servers.map(({ name }) => [name, []]));
    for (let round = 1; round <= args.rounds; round += 1) {
      for (const server of servers) {
        const cpu = procCpuSeconds(server.child.pid);
        const before = await cpu();
        const result = await runLoad({
          name: `${server.name} round ${round}`,
          url: `${server.url}/v1/accounts/${accountId}/balance`,
          connections: args.connections,
          durationSeconds: args.seconds,
          method: 'GET',
        });
        const after = await cpu();
        if (before === undefined || after === undefined || result.status2xx === 0) {
          throw new Error(`${server.name}: no CPU reading or no 2xx in round ${round}`);
        }
        const perRead = ((after - before) * 1e6) / result.responses;
        micros.get(server.name)?.push(perRead);
        console.log(
          `round ${round} ${server.name}: ${perRead.toFixed(1)} µs CPU/read, ` +
            `${Math.round(result.requestsPerSecond)} reads/s, ${result.status2xx}/${result.responses} 2xx`,
        );
      }
    }
    console.log('\n| target | µs CPU per cached read, each round | median |');
    console.log('|---|---|---|');
    for (const [name, values] of micros) {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      console.log(
        `| ${name} | ${values.map((v) => v.toFixed(1)).join(' / ')} | ${median.toFixed(1)} |`,
      );
    }
  } finally {
    for (const { child } of servers) await child.stop('SIGTERM', stopGraceMs);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
