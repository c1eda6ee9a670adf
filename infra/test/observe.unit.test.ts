import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readStackConfig } from '@ledger/runtime';
import { parse } from 'yaml';
import { isSettled, type Observation } from '../src/observe/observation.ts';
import { prometheusRulesFile } from '../src/observe/prometheusFiles.ts';
import {
  prometheusConfig,
  prometheusPortDefault,
  readObserveSettings,
  serviceTargets,
} from '../src/observe/prometheusServer.ts';

const run = promisify(execFile);

interface ScrapeConfig {
  job_name: string;
  honor_labels: boolean;
  authorization?: unknown;
  static_configs: { targets: string[]; labels: { service: string } }[];
}
interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}
const parseConfig = (text: string) => parse(text) as PrometheusConfig;

describe('npm run observe: the Prometheus it starts', () => {
  it('given the stack ports, when the config is written, then promtool accepts it and it scrapes the four services as job ledger with their service label and the rule file', async () => {
    const config = readStackConfig({ LEDGER_QUERY_API_PORT: '18081' });
    const dir = await mkdtemp(join(tmpdir(), 'observe-'));
    try {
      const file = join(dir, 'prometheus.yml');
      await writeFile(
        file,
        prometheusConfig({ targets: serviceTargets(config), credentialsFile: undefined }),
      );

      const { stdout } = await run('promtool', ['check', 'config', file]);
      const parsed = parseConfig(await readFile(file, 'utf8'));

      assert.match(stdout, /SUCCESS/);
      const job = parsed.scrape_configs[0]!;
      assert.equal(job.job_name, 'ledger');
      assert.equal(job.honor_labels, true);
      assert.equal(job.authorization, undefined);
      assert.deepEqual(
        job.static_configs.map((entry) => [entry.labels.service, entry.targets[0]]),
        [
          ['command-api', '127.0.0.1:8080'],
          ['query-api', '127.0.0.1:18081'],
          ['ledger-processor', '127.0.0.1:8082'],
          ['projector', '127.0.0.1:8083'],
        ],
      );
      assert.deepEqual(parsed.rule_files, [prometheusRulesFile]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('given a metrics key (API keys on), when the config is written, then scrapes send it as a bearer token from a file', () => {
    const text = prometheusConfig({
      targets: serviceTargets(readStackConfig({})),
      credentialsFile: '/tmp/key',
    });

    assert.deepEqual(parseConfig(text).scrape_configs[0]?.authorization, {
      type: 'Bearer',
      credentials_file: '/tmp/key',
    });
  });

  it('given no settings, when read, then Prometheus listens on its own port and sends no key', () => {
    assert.deepEqual(readObserveSettings({}), {
      port: prometheusPortDefault,
      metricsApiKey: undefined,
    });
    assert.deepEqual(
      readObserveSettings({ LEDGER_PROMETHEUS_PORT: '9999', LEDGER_METRICS_API_KEY: 'lk_x' }),
      { port: 9999, metricsApiKey: 'lk_x' },
    );
    assert.throws(() => readObserveSettings({ LEDGER_PROMETHEUS_PORT: '70000' }));
  });

  it('given targets down or groups not yet evaluated, when judged, then the observation is not settled', () => {
    const settled: Observation = {
      targets: [
        { service: 'command-api', health: 'up', lastError: '' },
        { service: 'query-api', health: 'up', lastError: '' },
      ],
      ruleGroups: 3,
      rules: 40,
      unevaluatedGroups: [],
      ruleErrors: [],
      firing: [],
      pending: [],
    };

    assert.equal(isSettled(settled, 2), true);
    assert.equal(isSettled(settled, 4), false);
    assert.equal(
      isSettled(
        { ...settled, targets: [settled.targets[0]!, { ...settled.targets[1]!, health: 'down' }] },
        2,
      ),
      false,
    );
    assert.equal(isSettled({ ...settled, unevaluatedGroups: ['ledger-alerts'] }, 2), false);
  });
});
