import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** infra/prometheus: the rule file Prometheus loads and its promtool unit tests. */
export const prometheusDir = fileURLToPath(new URL('../../prometheus/', import.meta.url));
export const prometheusRulesFile = join(prometheusDir, 'rules', 'ledger.rules.yml');
export const prometheusRuleTestsFile = join(prometheusDir, 'tests', 'ledger.rules.test.yml');
