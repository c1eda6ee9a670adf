import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import {
  dashboardExpressions,
  grafanaDashboardsDir,
  loadDashboards,
  promqlOfVariableQuery,
  substituteGrafanaVariables,
} from '@ledger/infra/observe/grafanaDashboards';
import { prometheusRulesFile } from '@ledger/infra/observe/prometheusFiles';
import { metricNamesIn } from '@ledger/infra/observe/promqlNames';
import { repoRoot } from '@ledger/infra/paths';
import { registeredMetricNames, scrapeSeriesNames } from './registeredMetricNames.ts';

const run = promisify(execFile);

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
const ruleFile = parse(readFileSync(prometheusRulesFile, 'utf8')) as RuleFile;
const rules = ruleFile.groups.flatMap((group) => group.rules);
const recordingRules = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
const registered = registeredMetricNames();
const exposed = new Set([...registered.values()].flatMap((names) => [...names]));
const expressions = dashboardExpressions();
/** What the dashboards' variables stand for while checking: any valid value will do. */
const variableValues = { service: 'command-api', instance: '.+', datasource: 'prometheus' };

const scratch = mkdtempSync(join(tmpdir(), 'ledger-dashboards-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

void describe('Grafana dashboards (infra/grafana/dashboards)', () => {
  void it('given the dashboards directory, then it holds the overview and the per-service drill-down', () => {
    assert.deepEqual(readdirSync(grafanaDashboardsDir).sort(), [
      'ledger-overview.json',
      'ledger-service.json',
    ]);
  });

  void it('given each dashboard, then it has a unique uid, schemaVersion 39 and panels that query Prometheus through the datasource variable', () => {
    const uids = new Set<string>();
    for (const [file, dashboard] of loadDashboards()) {
      const json = dashboard as unknown as Record<string, unknown>;
      assert.equal(json.schemaVersion, 39, file);
      assert.equal(typeof json.uid, 'string', file);
      assert.ok(!uids.has(json.uid as string), `${file}: uid ${String(json.uid)} is taken`);
      uids.add(json.uid as string);
      const variables = dashboard.templating?.list ?? [];
      assert.ok(
        variables.some((v) => v.name === 'datasource' && v.type === 'datasource'),
        `${file} has no datasource variable`,
      );
      const datasources = JSON.stringify(json).match(/"uid":\s*"[^"]*"/g) ?? [];
      for (const uid of datasources) {
        assert.match(
          uid,
          /"uid":\s*"(\$\{datasource\}|-- Grafana --|ledger-overview|ledger-service)"/,
          `${file}: ${uid}`,
        );
      }
    }
  });

  void it('given each dashboard, then panel ids are unique and every panel fits the 24-column grid', () => {
    for (const [file, dashboard] of loadDashboards()) {
      const ids = new Set<number>();
      const visit = (panels: readonly unknown[] | undefined) => {
        for (const panel of (panels ?? []) as {
          id: number;
          title: string;
          gridPos: { x: number; w: number; h: number };
          panels?: unknown[];
        }[]) {
          assert.ok(!ids.has(panel.id), `${file}: panel id ${panel.id} twice`);
          ids.add(panel.id);
          assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${file}: ${panel.title} is too wide`);
          assert.ok(panel.gridPos.h > 0, `${file}: ${panel.title} has no height`);
          visit(panel.panels);
        }
      };
      visit(dashboard.panels);
    }
  });

  void it('given the expressions, then panels inside collapsed rows and the template variables are found too', () => {
    const service = expressions.filter(({ file }) => file === 'ledger-service.json');
    assert.ok(
      service.some(
        ({ title, expr }) =>
          title.startsWith('ledger-processor / ') &&
          expr.includes('ledger_processor_transaction_phase_seconds_bucket'),
      ),
      'the processor row (collapsed) is read',
    );
    const variables = service.filter(({ source }) => source === 'variable');
    assert.deepEqual(
      variables.map(({ title, expr }) => [title, expr]),
      [
        ['service', 'up{job="ledger"}'],
        ['instance', 'up{job="ledger", service="$service"}'],
      ],
    );
  });

  void it('given every dashboard expression with its variables substituted, when promtool checks them as recording rules, then all parse', async () => {
    const file = join(scratch, 'dashboards.rules.yml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboards',
            rules: expressions.map(({ expr }, index) => ({
              record: `dashboard:expr_${index}`,
              expr: substituteGrafanaVariables(expr, variableValues),
            })),
          },
        ],
      }),
    );

    const result = await run('promtool', ['check', 'rules', file]).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );

    const succeeded = new RegExp(`SUCCESS: ${expressions.length} rules found`).test(
      result.stdout ?? '',
    );
    const which = expressions.map(
      ({ file, title, expr }, index) => `dashboard:expr_${index} is ${file} · ${title}: ${expr}`,
    );
    assert.ok(succeeded, `${result.stdout ?? ''}${result.stderr ?? ''}\n${which.join('\n')}`);
  });

  void it('given every dashboard expression, then each metric it reads is a recording rule of ledger.rules.yml or a series a service registers', () => {
    const known = new Set([...recordingRules, ...exposed, ...scrapeSeriesNames]);
    const unknown = expressions.flatMap(({ file, title, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${file} · ${title}: ${name}`),
    );

    assert.deepEqual(unknown, []);
  });

  void it('given every rule of ledger.rules.yml, then each metric it reads is a recording rule or a series a service registers', () => {
    const known = new Set([...recordingRules, ...exposed, ...scrapeSeriesNames]);
    const unknown = rules.flatMap((rule) =>
      metricNamesIn(rule.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${rule.record ?? rule.alert}: ${name}`),
    );

    assert.deepEqual(unknown, []);
  });

  void it('given the overview, then it draws RED, the write pipeline, lag, cache, stream, DLQ, outbox, conservation and health', () => {
    const read = new Set(
      expressions
        .filter(({ file }) => file === 'ledger-overview.json')
        .flatMap(({ expr }) => metricNamesIn(expr)),
    );
    for (const name of [
      'ledger:http_requests:rate5m',
      'ledger:command_api_errors:ratio_rate5m',
      'ledger:query_api_errors:ratio_rate5m',
      'ledger:http_request_duration_seconds:p99_5m',
      'command_api_http_request_duration_seconds_bucket',
      'query_api_http_request_duration_seconds_bucket',
      'ledger:accept_to_applied_seconds:p99_5m',
      'ledger:applied_to_visible_seconds:p99_5m',
      'ledger:accept_to_visible_seconds:p99_5m',
      'ledger:transfers_posted:rate5m',
      'ledger_processor_transfers_rejected_total',
      'ledger_consumer_lag_messages',
      'ledger:cache_hit:ratio_rate5m',
      'query_api_cache_entries',
      'query_api_cache_evictions_total',
      'query_api_stream_connections',
      'query_api_stream_drops_total',
      'ledger_processor_dead_letters_total',
      'ledger_processor_outbox_oldest_unpublished_age_seconds',
      'ledger_processor_conservation_failures',
      'ledger_dependency_up',
      'up',
    ]) {
      assert.ok(read.has(name), `the overview does not read ${name}`);
    }
  });

  void it('given the per-service dashboard, then every panel query is narrowed to the chosen $service and $instance', () => {
    const panels = expressions.filter(
      ({ file, source }) => file === 'ledger-service.json' && source === 'panel',
    );
    assert.ok(panels.length > 0);
    for (const { title, expr } of panels) {
      for (const name of metricNamesIn(expr)) {
        const selectors = expr.split(name).length - 1;
        const narrowed = expr.split('service="$service",instance=~"$instance"').length - 1;
        assert.ok(narrowed >= selectors, `${title}: ${name} is not narrowed to $service`);
      }
    }
  });

  void it('given the services source, then every metric it names is in the registries built from the services code (none missed)', () => {
    const sources = [
      'runtime',
      'command-api',
      'ledger-processor',
      'projector',
      'query-api',
    ].flatMap((pkg) =>
      readdirSync(join(repoRoot, pkg, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((path) => path.endsWith('.ts'))
        .map((path) => readFileSync(join(repoRoot, pkg, 'src', path), 'utf8')),
    );
    const named = sources.flatMap((text) => [
      ...[
        ...text.matchAll(
          /new (?:Counter|Gauge|Histogram|Summary|RequestDurations)\(\{\s*name: '([a-z_:]+)'/g,
        ),
      ].map((match) => match[1]),
      ...[...text.matchAll(/registerRequestCounter\([^,]+,\s*'([a-z_:]+)'/g)].map(
        (match) => match[1],
      ),
    ]);
    assert.ok(named.length > 50, `only ${named.length} metric names found in the source`);
    const missed = named.filter(
      (name) =>
        name !== undefined &&
        !exposed.has(name) &&
        !exposed.has(`${name}_bucket`) &&
        !exposed.has(`${name}_count`),
    );

    assert.deepEqual(missed, []);
  });
});

void describe('Grafana variable helpers', () => {
  void it('given label_values with a selector, then its PromQL is the selector; label_names and metrics read none', () => {
    assert.equal(
      promqlOfVariableQuery('label_values(up{job="ledger", a=~"x,y"}, service)'),
      'up{job="ledger", a=~"x,y"}',
    );
    assert.equal(promqlOfVariableQuery('query_result(topk(3, up))'), 'topk(3, up)');
    assert.equal(promqlOfVariableQuery('label_values(service)'), undefined);
    assert.equal(promqlOfVariableQuery('label_names()'), undefined);
    assert.equal(promqlOfVariableQuery('metrics(ledger_.*)'), undefined);
  });

  void it('given Grafana variables in all three syntaxes, then interval ones become durations and others their values', () => {
    assert.equal(
      substituteGrafanaVariables(
        'rate(a{s="$service",i=~"${instance:regex}",d="[[dc]]"}[$__rate_interval]) offset $__range',
        { service: 'query-api', instance: '.+' },
      ),
      'rate(a{s="query-api",i=~".+",d="x"}[5m]) offset 1h',
    );
  });
});
