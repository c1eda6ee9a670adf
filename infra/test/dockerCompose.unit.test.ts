import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readStackConfig } from '@ledger/runtime';
import { parse, stringify } from 'yaml';
import { grafanaDashboardsDir, loadDashboards } from '../src/observe/grafanaDashboards.ts';
import { prometheusRulesFile } from '../src/observe/prometheusFiles.ts';

const run = promisify(execFile);

// There is no Docker engine on the machines this is built on, so docker-compose.yml is kept in
// step with the local starter by this test instead of by running it.
const repoRoot = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = parse(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), {
  merge: true,
}) as ComposeFile;
const defaults = readStackConfig({});
const hostPort = (service: ComposeService, containerPort: number): number | undefined => {
  const mapping = service.ports?.find((port) => port.endsWith(`:${containerPort}`));
  return mapping === undefined ? undefined : Number(mapping.split(':')[0]);
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};

void describe('docker-compose.yml', () => {
  void it('given the compose file, then it names every part of the local stack', () => {
    for (const name of [
      'kafka',
      'schema-registry',
      'postgres',
      'redis',
      'setup',
      'command-api',
      'ledger-processor',
      'projector',
      'query-api',
    ]) {
      service(name);
    }
  });

  void it('given the four services, then each runs an entry point that exists in the repo', () => {
    for (const name of ['command-api', 'ledger-processor', 'projector', 'query-api', 'setup']) {
      const entry = service(name).command?.[0];
      assert.ok(
        entry && existsSync(`${repoRoot}${entry}`),
        `${name} runs ${entry}, which is missing`,
      );
    }
  });

  void it('given the setup job, then the stack CLI has the command it runs (its usage lists it)', () => {
    const [entry, subcommand] = service('setup').command ?? [];
    const usage = spawnSync(process.execPath, ['--import', 'tsx', `${repoRoot}${entry ?? ''}`], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).stderr;

    assert.ok(subcommand !== undefined, 'setup runs a stackCli command');
    assert.match(usage, new RegExp(`^  ${subcommand} `, 'm'), `stackCli has no ${subcommand}`);
  });

  void it('given the services environment, then it configures the same ports as the local defaults', () => {
    const env = service('command-api').environment ?? {};
    const composeConfig = readStackConfig(
      Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])),
    );
    assert.deepEqual(composeConfig.ports, defaults.ports);
    assert.equal(composeConfig.topicPrefix, defaults.topicPrefix);
    assert.equal(composeConfig.topicPartitions, defaults.topicPartitions);
    assert.equal(
      hostPort(service('command-api'), composeConfig.ports.commandApi),
      defaults.ports.commandApi,
    );
    assert.equal(
      hostPort(service('query-api'), composeConfig.ports.queryApi),
      defaults.ports.queryApi,
    );
    assert.equal(
      hostPort(service('ledger-processor'), composeConfig.ports.ledgerProcessor),
      defaults.ports.ledgerProcessor,
    );
    assert.equal(
      hostPort(service('projector'), composeConfig.ports.projector),
      defaults.ports.projector,
    );
  });

  void it('given the dependencies, then they listen on the host ports the local stack uses', () => {
    assert.equal(hostPort(service('kafka'), defaults.kafkaPort), defaults.kafkaPort);
    assert.equal(hostPort(service('schema-registry'), 8080), defaults.registryPort);
    assert.equal(hostPort(service('postgres'), 5432), 5432);
    assert.equal(hostPort(service('redis'), 6379), 6379);
  });

  void it('given every LEDGER_ variable in the file, then the stack config reads it', () => {
    const known = new Set(
      readFileSync(`${repoRoot}runtime/src/stackConfig.ts`, 'utf8').match(/LEDGER_[A-Z_]+/g),
    );
    for (const name of Object.keys(service('command-api').environment ?? {})) {
      if (!name.startsWith('LEDGER_')) continue;
      assert.ok(known.has(name), `${name} is set in docker-compose.yml but never read`);
    }
  });
});

/** A service's bind mounts (`./source:target[:mode]`), by target path in the container. */
const bindMounts = (name: string): Map<string, string> =>
  new Map(
    (service(name).volumes ?? [])
      .filter((volume) => volume.startsWith('./'))
      .map((volume) => {
        const [source = '', target = ''] = volume.split(':');
        return [target, `${repoRoot}${source.slice(2)}`];
      }),
  );
const ledgerServices = ['command-api', 'query-api', 'ledger-processor', 'projector'] as const;

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}
interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

void describe('docker-compose.yml observability (Prometheus, Grafana, Jaeger)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-compose-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  void it('given every bind mount of every service, then its source exists in the repo', () => {
    for (const name of Object.keys(compose.services)) {
      for (const [target, source] of bindMounts(name)) {
        assert.ok(existsSync(source), `${name} mounts ${source} at ${target}, which is missing`);
      }
    }
  });

  void it('given the prometheus service, then it runs prom/prometheus with the compose scrape config and the rule files mounted where the config loads them', () => {
    const prometheus = service('prometheus');
    const mounts = bindMounts('prometheus');
    assert.match(prometheus.image ?? '', /^prom\/prometheus:/);
    assert.equal(hostPort(prometheus, 9090), 9090);
    assert.equal(
      mounts.get('/etc/prometheus/prometheus.yml'),
      `${repoRoot}infra/prometheus/compose/prometheus.yml`,
    );
    assert.equal(mounts.get('/etc/prometheus/rules'), `${repoRoot}infra/prometheus/rules`);
    assert.ok(prometheus.command?.includes('--config.file=/etc/prometheus/prometheus.yml'));
    const config = parse(
      readFileSync(`${repoRoot}infra/prometheus/compose/prometheus.yml`, 'utf8'),
    ) as PrometheusConfig;
    assert.deepEqual(config.rule_files, ['/etc/prometheus/rules/*.yml']);
  });

  void it('given the compose scrape config, then job "ledger" scrapes each service by its compose name and port, labelled with its service, honoring the metrics own labels', () => {
    const config = parse(
      readFileSync(`${repoRoot}infra/prometheus/compose/prometheus.yml`, 'utf8'),
    ) as PrometheusConfig;
    const ledger = config.scrape_configs.find(({ job_name }) => job_name === 'ledger');
    assert.ok(ledger, 'no job "ledger"');
    assert.equal(ledger.honor_labels, true);
    const ports = defaults.ports;
    const portOf: Record<(typeof ledgerServices)[number], number> = {
      'command-api': ports.commandApi,
      'query-api': ports.queryApi,
      'ledger-processor': ports.ledgerProcessor,
      projector: ports.projector,
    };
    const scraped = ledger.static_configs.flatMap(({ targets, labels }) =>
      targets.map((target) => [target, labels?.service]),
    );
    assert.deepEqual(
      scraped.sort(),
      ledgerServices.map((name) => [`${name}:${portOf[name]}`, name]).sort(),
    );
    for (const name of ledgerServices) service(name);
  });

  void it('given the compose scrape config with its rule files pointed at infra/prometheus/rules, when promtool checks it, then the config and the rules it loads are valid', async () => {
    const config = parse(
      readFileSync(`${repoRoot}infra/prometheus/compose/prometheus.yml`, 'utf8'),
    ) as PrometheusConfig;
    const file = join(scratch, 'prometheus.yml');
    writeFileSync(file, stringify({ ...config, rule_files: [prometheusRulesFile] }));

    const result = await run('promtool', ['check', 'config', file]).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );

    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    assert.match(output, /SUCCESS: .*valid prometheus config/, output);
    assert.match(output, /SUCCESS: \d+ rules found/, output);
  });

  void it('given the grafana service, then it runs grafana/grafana with anonymous viewers and mounts the provisioning and the dashboards where the provider reads them', () => {
    const grafana = service('grafana');
    const mounts = bindMounts('grafana');
    assert.match(grafana.image ?? '', /^grafana\/grafana:/);
    assert.equal(hostPort(grafana, 3000), 3000);
    assert.equal(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED, 'true');
    assert.equal(grafana.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
    assert.equal(mounts.get('/etc/grafana/provisioning'), `${repoRoot}infra/grafana/provisioning`);
    const provider = (
      parse(
        readFileSync(`${repoRoot}infra/grafana/provisioning/dashboards/ledger.yml`, 'utf8'),
      ) as { providers: { type: string; options: { path: string } }[] }
    ).providers[0];
    assert.equal(provider?.type, 'file');
    assert.equal(
      mounts.get(provider?.options.path ?? ''),
      grafanaDashboardsDir.replace(/\/$/, ''),
      'the dashboards are mounted where the provider reads them',
    );
    const home = String(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    assert.ok(home.startsWith(`${provider?.options.path ?? ''}/`));
    assert.ok(loadDashboards().has(home.split('/').pop() ?? ''), `${home} is not a dashboard`);
  });

  void it('given the grafana datasource, then it is the compose prometheus service under the uid the dashboards default to', () => {
    const { datasources } = parse(
      readFileSync(`${repoRoot}infra/grafana/provisioning/datasources/prometheus.yml`, 'utf8'),
    ) as { datasources: { uid: string; type: string; url: string }[] };
    assert.deepEqual(
      datasources.map(({ uid, type, url }) => ({ uid, type, url })),
      [{ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }],
    );
    for (const [file, dashboard] of loadDashboards()) {
      const variable = dashboard.templating?.list?.find(({ name }) => name === 'datasource') as
        { current?: { value?: string } } | undefined;
      assert.equal(variable?.current?.value, 'prometheus', `${file}'s default datasource`);
    }
  });

  void it('given the jaeger service and the four services, then each sends its traces over OTLP/HTTP to jaeger under its own service name', () => {
    const jaeger = service('jaeger');
    assert.match(jaeger.image ?? '', /^jaegertracing\/all-in-one:/);
    assert.equal(hostPort(jaeger, 4318), 4318);
    assert.equal(hostPort(jaeger, 16686), 16686);
    for (const name of ledgerServices) {
      const env = service(name).environment ?? {};
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', name);
      assert.equal(env.OTEL_SERVICE_NAME, name);
      assert.equal(env.LEDGER_KAFKA_BROKERS, 'kafka:19092', `${name} keeps the shared LEDGER_ env`);
    }
  });

  void it('given the OTEL_ variables in the file, then the runtime tracing setup reads each (the SDK reads the rest)', () => {
    const tracing = readFileSync(`${repoRoot}runtime/src/tracing.ts`, 'utf8');
    for (const name of ledgerServices.flatMap((s) => Object.keys(service(s).environment ?? {}))) {
      if (name.startsWith('OTEL_')) assert.ok(tracing.includes(name), `${name} is never read`);
    }
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  void it(
    'given Debian docker-compose, when it reads the file (config -q), then it accepts it',
    {
      skip:
        dockerCompose.error === undefined
          ? false
          : 'docker-compose is not installed (Debian package docker-compose)',
    },
    async () => {
      const result = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: repoRoot,
      }).catch((error: { code?: number; stderr?: string }) => error);

      assert.equal((result as { code?: number }).code ?? 0, 0, result.stderr);
    },
  );
});
