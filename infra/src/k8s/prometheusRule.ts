import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { parse, stringify } from 'yaml';
import { prometheusRulesFile } from '../observe/prometheusFiles.ts';
import { repoRoot } from '../paths.ts';

/**
 * The prometheus-operator's PrometheusRule in infra/k8s is generated from the one rule file that
 * `promtool` checks and `npm run observe` loads, so the two never drift:
 * `npm run -w @ledger/infra k8s:rules` rewrites it, and a unit test fails while it is stale.
 */
export const prometheusRuleFile = join(repoRoot, 'infra/k8s/base/monitoring/prometheus-rule.yaml');

export interface RuleGroups {
  readonly groups: readonly Record<string, unknown>[];
}

export function parseRuleGroups(text: string, source: string): RuleGroups {
  const parsed = parse(text) as { groups?: unknown } | null;
  if (parsed === null || !Array.isArray(parsed.groups)) {
    throw new Error(`${source}: expected a Prometheus rule file ({ groups: [...] })`);
  }
  return { groups: parsed.groups as Record<string, unknown>[] };
}

/** The manifest's text, formatted as the repository's prettier config formats YAML. */
export async function renderPrometheusRule(rulesText: string): Promise<string> {
  const { groups } = parseRuleGroups(rulesText, 'infra/prometheus/rules/ledger.rules.yml');
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'kafka-ledger' },
    spec: { groups },
  };
  const header = [
    '# Generated from infra/prometheus/rules/ledger.rules.yml by infra/src/k8s/prometheusRule.ts:',
    '# edit the rule file, then `npm run -w @ledger/infra k8s:rules` (a unit test fails while stale).',
    '# The prometheus-operator loads it when its ruleSelector matches (e.g. Helm: release: <name>).',
  ].join('\n');
  const text = `${header}\n${stringify(manifest, { lineWidth: 0 })}`;
  const options = (await prettier.resolveConfig(prometheusRuleFile)) ?? {};
  return prettier.format(text, { ...options, parser: 'yaml' });
}

export async function expectedPrometheusRule(): Promise<string> {
  return renderPrometheusRule(readFileSync(prometheusRulesFile, 'utf8'));
}
