import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { prometheusRulesFile } from '../src/observe/prometheusFiles.ts';
import { metricNamesIn } from '../src/observe/promqlNames.ts';

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
const rules = (parse(readFileSync(prometheusRulesFile, 'utf8')) as RuleFile).groups.flatMap(
  (group) => group.rules,
);
const exprOf = (name: string): string => {
  const rule = rules.find((candidate) => (candidate.record ?? candidate.alert) === name);
  assert.ok(rule, `the rule file has no rule ${name}`);
  return rule.expr;
};

void describe('metricNamesIn', () => {
  void describe('given the expressions of infra/prometheus/rules/ledger.rules.yml', () => {
    void it('when an error ratio is read, then it names the request counter once, not route, status_class, sum, rate or clamp_min', () => {
      assert.deepEqual(metricNamesIn(exprOf('ledger:command_api_errors:ratio_rate5m')), [
        'command_api_http_requests_total',
      ]);
    });

    void it('when a slow-request ratio is read, then it names the bucket and count series, not the le label or the numbers', () => {
      assert.deepEqual(metricNamesIn(exprOf('ledger:query_api_slow:ratio_rate1h')), [
        'query_api_http_request_duration_seconds_bucket',
        'query_api_http_request_duration_seconds_count',
      ]);
    });

    void it('when a selector names metrics through __name__=~ alternatives, then each alternative is a name and the by () labels are not', () => {
      assert.deepEqual(metricNamesIn(exprOf('ledger:http_requests:rate5m')), [
        'command_api_http_requests_total',
        'query_api_http_requests_total',
      ]);
      assert.deepEqual(metricNamesIn(exprOf('ledger:http_request_duration_seconds:p99_5m')), [
        'command_api_http_request_duration_seconds_bucket',
        'query_api_http_request_duration_seconds_bucket',
      ]);
    });

    void it('when a rule reads other recording rules, then their colon names are metric names', () => {
      assert.deepEqual(metricNamesIn(exprOf('ledger:accept_to_visible_seconds:p99_5m')), [
        'ledger:accept_to_applied_seconds:p99_5m',
        'ledger:applied_to_visible_seconds:p99_5m',
      ]);
    });

    void it('when a burn-rate alert joins windows with and/or, then the set operators and numbers are not names', () => {
      assert.deepEqual(metricNamesIn(exprOf('LedgerCommandApiErrorBudgetBurn')), [
        'ledger:command_api_errors:ratio_rate1h',
        'ledger:command_api_errors:ratio_rate5m',
        'ledger:command_api_errors:ratio_rate6h',
        'ledger:command_api_errors:ratio_rate30m',
      ]);
    });

    void it('when the lag alerts are read, then deriv and the aggregation clause are skipped', () => {
      assert.deepEqual(metricNamesIn(exprOf('LedgerConsumerLagGrowing')), [
        'ledger:consumer_lag_messages:sum',
      ]);
      assert.deepEqual(metricNamesIn(exprOf('LedgerConsumerLagHigh')), [
        'ledger_consumer_lag_messages',
      ]);
    });

    void it('when up and the dependency gauge are compared, then the job and dependency label values are not names', () => {
      assert.deepEqual(metricNamesIn(exprOf('LedgerServiceDown')), ['up']);
      assert.deepEqual(metricNamesIn(exprOf('LedgerRedisDown')), ['ledger_dependency_up']);
    });

    void it('when every rule is read, then each name is a plain metric name', () => {
      for (const rule of rules) {
        const names = metricNamesIn(rule.expr);
        assert.ok(names.length > 0, `${rule.record ?? rule.alert} reads no metric`);
        for (const name of names) assert.match(name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      }
    });
  });

  void describe('given tricky expressions', () => {
    const cases: [string, string, string[]][] = [
      ['a bare name', 'up', ['up']],
      ['a name followed by spaces then a matcher block', 'up  {job="x"}', ['up']],
      [
        'only a __name__ equality',
        '{__name__="process_cpu_seconds_total",job="x"}',
        ['process_cpu_seconds_total'],
      ],
      ['single quotes and spaces around the operator', "{ __name__ = 'a_total' }", ['a_total']],
      [
        'an anchored, grouped regex of names',
        '{__name__=~"^(a_total|b_total)$"}',
        ['a_total', 'b_total'],
      ],
      [
        'a regex alternative that is a pattern, not a name',
        '{__name__=~"a_total|ledger_.*"}',
        ['a_total'],
      ],
      ['a negative __name__ matcher', 'sum({__name__!="a", job="x"})', []],
      [
        'a quoted metric name standing alone (Prometheus 3)',
        '{"my.metric", job="x"}',
        ['my.metric'],
      ],
      [
        'label names that look like keywords and functions',
        'x{on="1", by="2", rate="3", sum="4"}',
        ['x'],
      ],
      [
        'a label value with braces, commas and quotes',
        'x{route="/v1/{id},\\"q\\"", a!~"b|c"}',
        ['x'],
      ],
      [
        'by and without before the body',
        'sum without (instance, job) (a) / count by (le, service) (b)',
        ['a', 'b'],
      ],
      ['by after the body', 'sum(rate(a[5m])) by (route)', ['a']],
      [
        'on, ignoring, group_left and group_right with label lists',
        'a * on (service) group_left (version) b + c / ignoring (le) group_right () d',
        ['a', 'b', 'c', 'd'],
      ],
      ['bool, unless and atan2', 'a > bool 1 unless b atan2 c', ['a', 'b', 'c']],
      [
        'offset with a duration and an @ modifier',
        'rate(a[5m] offset 1h30m) - b @ 1609746000 - c @ start()',
        ['a', 'b', 'c'],
      ],
      ['a subquery', 'max_over_time(rate(a[1m])[1h:5m])', ['a']],
      [
        'numbers: exponents, hex, Inf and NaN',
        'a > 1e-9 and b < 0x1F or c != Inf or d == NaN',
        ['a', 'b', 'c', 'd'],
      ],
      [
        'strings as arguments',
        'label_replace(a, "dst", "$1", "src", "(.*)") + count_values("le", b)',
        ['a', 'b'],
      ],
      ['topk and quantile parameters', 'topk(5, a) + quantile(0.9, b)', ['a', 'b']],
      ['a name repeated', 'a / a', ['a']],
      [
        'Grafana variables',
        'rate(a{service="$service", i=~"${instance:regex}"}[$__rate_interval]) * $factor',
        ['a'],
      ],
      ['a comment', 'a # b is not read\n+ c', ['a', 'c']],
      [
        'a function with spaces before its parenthesis',
        'histogram_quantile (0.99, sum by (le) (rate(a_bucket[5m])))',
        ['a_bucket'],
      ],
      ['nothing but numbers and a function', 'vector(1) + time()', []],
    ];
    for (const [given, expr, expected] of cases) {
      void it(`when it is ${given}, then the names are ${expected.join(', ') || 'none'}`, () => {
        assert.deepEqual(metricNamesIn(expr), expected);
      });
    }
  });
});
