import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { StackConfig } from '@ledger/runtime';
import { startChild, tsxArgs, type Child } from './childProcess.ts';

/**
 * The stack the bench runs against: the one `stackCli status` reports, or one the driver starts
 * with `stackCli up` and stops again at the end. Services missing from a running stack (a
 * `--deps-only` stack someone started for tests) are started by the driver, as `up` would, and
 * stopped at the end; nothing the driver did not start is ever stopped.
 */
export type ServiceName = 'command-api' | 'ledger-processor' | 'projector' | 'query-api';
const services: readonly ServiceName[] = [
  'query-api',
  'projector',
  'ledger-processor',
  'command-api',
];

export interface StackSession {
  readonly config: StackConfig;
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** What the driver started, for the report. */
  readonly started: readonly string[];
  stop(): Promise<void>;
}

/** First `up` may download Kafka and the registry (~150 MB) and format storage. */
const stackUpTimeoutMs = 10 * 60_000;
const stackStartingWaitMs = 5 * 60_000;
const serviceReadyTimeoutMs = 120_000;
const statusTimeoutMs = 60_000;
const stackStopGraceMs = 120_000;
const serviceStopGraceMs = 30_000;
const stackCli = 'infra/src/cli/stackCli.ts';

export async function ensureStack(options: {
  repoRoot: string;
  logsDir: string;
  config: StackConfig;
  /** Profile the services: start the stack with --deps-only and run the services here, with --cpu-prof. */
  cpuProfileDir?: string;
}): Promise<StackSession> {
  const { config } = options;
  const urls: Record<ServiceName, string> = {
    'command-api': `http://127.0.0.1:${config.ports.commandApi}`,
    'query-api': `http://127.0.0.1:${config.ports.queryApi}`,
    'ledger-processor': `http://127.0.0.1:${config.ports.ledgerProcessor}`,
    projector: `http://127.0.0.1:${config.ports.projector}`,
  };
  const children: Child[] = [];
  const started: string[] = [];
  let stackChild: Child | undefined;

  let status = await stackStatus(options.repoRoot);
  const deadline = Date.now() + stackStartingWaitMs;
  while (status.code === 0 && /^stack: starting/m.test(status.text) && Date.now() < deadline) {
    console.log('  a stack is starting; waiting for it to be ready');
    await sleep(3_000);
    status = await stackStatus(options.repoRoot);
  }
  if (status.code === 3) {
    console.log('  no stack runs: starting one (`stackCli up`), stopped again at the end');
    // Its progress is echoed until ready; after that only its log file gets the services' lines.
    let echo = true;
    stackChild = startChild({
      name: 'stack',
      command: process.execPath,
      args: tsxArgs(stackCli, options.cpuProfileDir === undefined ? ['up'] : ['up', '--deps-only']),
      cwd: options.repoRoot,
      logFile: join(options.logsDir, 'stack.log'),
      echo: () => echo,
    });
    const line = await stackChild.waitForLine(
      (text) => text.includes('stack ready') || text.includes('stack already running'),
      stackUpTimeoutMs,
    );
    echo = false;
    if (line.includes('stack ready')) started.push('the whole stack (stackCli up)');
    else stackChild = undefined;
  } else if (status.code !== 0) {
    throw new Error(`stackCli status failed (exit ${status.code}): ${status.text}`);
  } else {
    console.log(`  using the running stack: ${firstLine(status.text)}`);
  }

  for (const service of services) {
    if (await isReady(urls[service])) {
      if (options.cpuProfileDir !== undefined)
        console.log(`  ${service} runs already: not profiled`);
      continue;
    }
    console.log(`  ${service} is not running: starting it for this run`);
    const profile =
      options.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, service)}`];
    const child = startChild({
      name: service,
      command: process.execPath,
      args: [...profile, ...tsxArgs(join(service, 'src', 'main.ts'))],
      cwd: options.repoRoot,
      logFile: join(options.logsDir, `${service}.log`),
    });
    children.push(child);
    started.push(service);
    await waitReady(service, urls[service], child);
  }

  return {
    config,
    urls,
    started,
    async stop() {
      for (const child of children.reverse()) await child.stop('SIGTERM', serviceStopGraceMs);
      if (stackChild !== undefined) {
        console.log('  stopping the stack this run started');
        await stackChild.stop('SIGINT', stackStopGraceMs);
      }
    },
  };
}

function stackStatus(repoRoot: string): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      tsxArgs(stackCli, ['status']),
      { cwd: repoRoot, timeout: statusTimeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, text: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

export async function isReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitReady(service: string, baseUrl: string, child: Child): Promise<void> {
  const deadline = Date.now() + serviceReadyTimeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (!(await isReady(baseUrl))) {
    if (exited)
      throw new Error(`${service} exited during start-up; see its log under results/logs`);
    if (Date.now() > deadline)
      throw new Error(`${service} not ready after ${serviceReadyTimeoutMs} ms`);
    await sleep(500);
  }
}

const firstLine = (text: string) => text.split('\n')[0] ?? '';
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
