import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intFromEnv, type StackConfig } from '@ledger/runtime';
import { stringify } from 'yaml';
import { prometheusRulesFile } from './prometheusFiles.ts';

/**
 * Prometheus from Debian's package against the local stack (`npm run observe`): the four
 * services as job "ledger", each with its `service` label, and infra/prometheus's rules loaded.
 * Its port is LEDGER_PROMETHEUS_PORT, 9095 by default: Debian's package may run its own
 * Prometheus on 9090.
 */
export const prometheusPortDefault = 9095;
/** Local scrapes and rule evaluations: often enough to see a fault within seconds. */
export const observeScrapeIntervalSeconds = 5;
/** The local TSDB keeps a day: enough to look back at a bench run, small on a laptop. */
export const observeRetention = '1d';
const startTimeoutMs = 30_000;
const stopGraceMs = 10_000;

export type ServiceName = 'command-api' | 'query-api' | 'ledger-processor' | 'projector';

export interface ObserveSettings {
  readonly port: number;
  /** A key with ops:read, sent as a bearer token, when the services run with API keys on. */
  readonly metricsApiKey: string | undefined;
}

export function readObserveSettings(env: NodeJS.ProcessEnv = process.env): ObserveSettings {
  const key = env.LEDGER_METRICS_API_KEY;
  return {
    port: intFromEnv(env, 'LEDGER_PROMETHEUS_PORT', prometheusPortDefault, { min: 1, max: 65_535 }),
    metricsApiKey: key === undefined || key === '' ? undefined : key,
  };
}

/** Where each service serves /metrics on this machine. */
export function serviceTargets(config: StackConfig): Record<ServiceName, string> {
  return {
    'command-api': `127.0.0.1:${config.ports.commandApi}`,
    'query-api': `127.0.0.1:${config.ports.queryApi}`,
    'ledger-processor': `127.0.0.1:${config.ports.ledgerProcessor}`,
    projector: `127.0.0.1:${config.ports.projector}`,
  };
}

/**
 * The scrape configuration. `honor_labels`: the services label their own series with `service`,
 * and the rules and dashboards select on it; the target label says the same.
 */
export function prometheusConfig(options: {
  readonly targets: Record<ServiceName, string>;
  readonly credentialsFile: string | undefined;
}): string {
  return stringify({
    global: {
      scrape_interval: `${observeScrapeIntervalSeconds}s`,
      evaluation_interval: `${observeScrapeIntervalSeconds}s`,
    },
    rule_files: [prometheusRulesFile],
    scrape_configs: [
      {
        job_name: 'ledger',
        honor_labels: true,
        ...(options.credentialsFile === undefined
          ? {}
          : { authorization: { type: 'Bearer', credentials_file: options.credentialsFile } }),
        static_configs: Object.entries(options.targets).map(([service, target]) => ({
          targets: [target],
          labels: { service },
        })),
      },
    ],
  });
}

export interface RunningPrometheus {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Writes the config under `dir` and starts Prometheus; resolves once it answers /-/ready. */
export async function startPrometheus(options: {
  readonly config: StackConfig;
  readonly settings: ObserveSettings;
  readonly dir: string;
  readonly onOutput?: (line: string) => void;
}): Promise<RunningPrometheus> {
  await mkdir(join(options.dir, 'data'), { recursive: true });
  let credentialsFile: string | undefined;
  if (options.settings.metricsApiKey !== undefined) {
    credentialsFile = join(options.dir, 'metrics-api-key');
    await writeFile(credentialsFile, options.settings.metricsApiKey, { mode: 0o600 });
  }
  const configFile = join(options.dir, 'prometheus.yml');
  await writeFile(
    configFile,
    prometheusConfig({ targets: serviceTargets(options.config), credentialsFile }),
  );
  const address = `127.0.0.1:${options.settings.port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, 'data')}`,
      `--storage.tsdb.retention.time=${observeRetention}`,
      `--web.listen-address=${address}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://${address}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode}:\n${lines.slice(-10).join('\n')}`);
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not answer ${url}/-/ready within ${startTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
