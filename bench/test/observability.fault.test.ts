import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseRuleGroups } from '@ledger/infra/k8s/prometheusRule';
import {
  dashboardExpressions,
  substituteGrafanaVariables,
} from '@ledger/infra/observe/grafanaDashboards';
import { prometheusRulesFile } from '@ledger/infra/observe/prometheusFiles';
import { metricNamesIn } from '@ledger/infra/observe/promqlNames';
import { readStackConfig } from '@ledger/runtime';
import { deleteStackTopics } from '../src/faults/runFaults.ts';
import { useFreshLedger } from '../src/stack/freshLedger.ts';
import { ensureStack } from '../src/stack/stackSession.ts';

// Issue 17's acceptance against the running services rather than their source: every /metrics
// passes `promtool check metrics`, the rules and dashboards read only what the services expose
// (or the rules record), and `npm run observe -- --check` (the command a user runs) sees every
// target up, every rule evaluated without error and no alert firing or pending on an idle stack.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** Series names a /metrics text exposes: from its TYPE lines, histograms as their three series. */
function exposedNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name = '', type]) =>
    type === 'histogram'
      ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
      : type === 'summary'
        ? [name, `${name}_sum`, `${name}_count`]
        : [name],
  );
}

function runWithInput(
  command: string,
  args: readonly string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** Every expression of the rule file and the dashboards, with where it comes from. */
function expressionsInUse(): { where: string; expr: string }[] {
  const { groups } = parseRuleGroups(readFileSync(prometheusRulesFile, 'utf8'), 'rules');
  const fromRules = groups.flatMap((group) =>
    (group.rules as { record?: string; alert?: string; expr: string }[]).map((rule) => ({
      where: `rule ${rule.record ?? rule.alert ?? '?'}`,
      expr: rule.expr,
    })),
  );
  const fromDashboards = dashboardExpressions().map((entry) => ({
    where: `${entry.file} ${entry.title}`,
    expr: substituteGrafanaVariables(entry.expr),
  }));
  return [...fromRules, ...fromDashboards];
}

function recordedNames(): Set<string> {
  const { groups } = parseRuleGroups(readFileSync(prometheusRulesFile, 'utf8'), 'rules');
  return new Set(
    groups.flatMap((group) =>
      (group.rules as { record?: string }[]).flatMap((rule) => rule.record ?? []),
    ),
  );
}

describe('observability of the running stack', () => {
  it('given a fresh, idle stack, when its metrics are checked and Prometheus scrapes it with the rules, then promtool accepts every /metrics, the rules and dashboards name only exposed series, every target is up and no alert fires', async () => {
    await useFreshLedger('ledger_observe', 1);
    const config = readStackConfig();
    const logsDir = join(repoRoot, 'bench', 'results', 'observe-logs');
    await mkdir(logsDir, { recursive: true });
    const stack = await ensureStack({ repoRoot, logsDir, config });
    try {
      // Prometheus' own series per target, beside what the services expose.
      const exposed = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
      for (const [service, url] of Object.entries(stack.urls)) {
        const text = await (await fetch(`${url}/metrics`)).text();

        const check = await runWithInput('promtool', ['check', 'metrics'], text);

        assert.equal(check.code, 0, `${service}: promtool check metrics:\n${check.output}`);
        assert.equal(check.output.trim(), '', `${service}: promtool check metrics`);
        for (const name of exposedNames(text)) exposed.add(name);
      }
      const recorded = recordedNames();
      const unknown = expressionsInUse().flatMap(({ where, expr }) =>
        metricNamesIn(expr)
          .filter((name) => !exposed.has(name) && !recorded.has(name))
          .map((name) => `${name} (${where})`),
      );
      assert.deepEqual(unknown, [], 'names no running service exposes');

      const observe = await runWithInput(process.execPath, ['scripts/observe.mjs', '--check'], '');

      assert.equal(observe.code, 0, observe.output);
      assert.match(observe.output, /observe check: ok/);
      assert.match(observe.output, /alerts firing: none\n/);
    } finally {
      await deleteStackTopics(config);
      await stack.stop();
    }
  });
});
