// `npm run -w @ledger/infra k8s:rules`: regenerates infra/k8s/base/monitoring/prometheus-rule.yaml
// from infra/prometheus/rules/ledger.rules.yml.
import { writeFileSync } from 'node:fs';
import { expectedPrometheusRule, prometheusRuleFile } from './prometheusRule.ts';

writeFileSync(prometheusRuleFile, await expectedPrometheusRule());
process.stdout.write(`wrote ${prometheusRuleFile}\n`);
