// `npm run observe [-- --check]`: Prometheus (Debian's package) against the running stack, with
// infra/prometheus's rules loaded, in the foreground until Ctrl-C. `--check` waits until every
// target is up and every rule group evaluated, prints what Prometheus sees and exits: 0 when no
// rule errs and no alert fires or is pending (its condition true now, waiting out its `for`),
// 1 otherwise: an idle, healthy stack must fire nothing.
import { join } from 'node:path';
import { readStackConfig } from '@ledger/runtime';
import { describeObservation, isSettled, waitUntilSettled } from '../observe/observation.ts';
import {
  readObserveSettings,
  serviceTargets,
  startPrometheus,
} from '../observe/prometheusServer.ts';
import { stackPaths } from '../paths.ts';

const usage = 'usage: observeCli.ts [--check]';
/** Targets are scraped every 5 s and groups evaluated as often: a minute is ample. */
const settleTimeoutMs = 60_000;

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\n${usage}`);
    return 2;
  }
  const check = argv.includes('--check');
  const config = readStackConfig();
  const settings = readObserveSettings();
  const targets = serviceTargets(config);
  const prometheus = await startPrometheus({
    config,
    settings,
    dir: join(stackPaths().stackDir, 'observe'),
  });
  console.log(
    `prometheus ${prometheus.url} (rules: infra/prometheus/rules; targets: ${Object.entries(targets)
      .map(([service, target]) => `${service} ${target}`)
      .join(', ')})`,
  );
  const expected = Object.keys(targets).length;
  const settled = await waitUntilSettled(prometheus.url, expected, settleTimeoutMs);
  console.log(describeObservation(settled));
  if (check) {
    await prometheus.stop();
    const ok =
      isSettled(settled, expected) &&
      settled.ruleErrors.length === 0 &&
      settled.firing.length === 0;
    console.log(ok ? 'observe check: ok' : 'observe check: FAILED');
    return ok ? 0 : 1;
  }
  if (!isSettled(settled, expected)) {
    console.log('not every target is up: is the stack running? (npm start)');
  }
  console.log(
    `open ${prometheus.url}/alerts and ${prometheus.url}/targets; Ctrl-C stops Prometheus`,
  );
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    prometheus.child.once('exit', () => resolve());
  });
  const crashed = prometheus.child.exitCode !== null && prometheus.child.exitCode !== 0;
  await prometheus.stop();
  return crashed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`observe: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
