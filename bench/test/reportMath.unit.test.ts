import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEnd } from '../src/audit/ledgerAudit.ts';
import { metricSum, metricSumMatching, parsePrometheusText } from '../src/metrics/promText.ts';
import type { LoadResult } from '../src/load/loadRun.ts';
import { deltas, niceTicks, percentile, ratio } from '../src/report/stats.ts';
import { medianLoad } from '../src/scenarios/readScenarios.ts';

describe('percentile (nearest rank)', () => {
  it('given no samples, then there is no percentile', () => {
    assert.equal(percentile([], 99), undefined);
  });
  it('given 1..100 unsorted, then p50 is 50, p99 is 99 and p100 is the maximum', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 99), 99);
    assert.equal(percentile(samples, 100), 100);
    assert.equal(percentile(samples, 0), 1);
  });
  it('given few samples, then p99 is the largest (never interpolated below it)', () => {
    assert.equal(percentile([3, 1, 2], 99), 3);
  });
  it('given a percentile outside 0..100, then it throws', () => {
    assert.throws(() => percentile([1], 101));
  });
});

describe('ratio', () => {
  it('given both values, then a / b', () => assert.equal(ratio(10, 4), 2.5));
  it('given a missing value or a zero denominator, then undefined', () => {
    assert.equal(ratio(undefined, 4), undefined);
    assert.equal(ratio(1, 0), undefined);
    assert.equal(ratio(1, undefined), undefined);
  });
});

describe('deltas of a cumulative counter', () => {
  it('given a rising counter, then per-interval increases (none for the first sample)', () => {
    assert.deepEqual(deltas([10, 15, 15, 30]), [undefined, 5, 0, 15]);
  });
  it('given a reset (process restart), then the interval counts from zero', () => {
    assert.deepEqual(deltas([100, 120, 7]), [undefined, 20, 7]);
  });
  it('given gaps, then they stay gaps and the next sample compares with the last seen', () => {
    assert.deepEqual(deltas([1, undefined, 4]), [undefined, undefined, 3]);
  });
});

describe('niceTicks', () => {
  it('given a maximum, then round steps from 0 that reach it', () => {
    assert.deepEqual(niceTicks(47, 5), [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(niceTicks(1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('given nothing to show, then a unit axis', () => assert.deepEqual(niceTicks(0), [0, 1]));
});

describe('Prometheus text', () => {
  const text = [
    '# HELP ledger_processor_commands_decided_total Commands decided',
    '# TYPE ledger_processor_commands_decided_total counter',
    'ledger_processor_commands_decided_total{kind="applied",service="ledger-processor"} 120',
    'ledger_processor_commands_decided_total{kind="rejected",service="ledger-processor"} 3',
    'query_api_cache_requests_total{result="hit"} 90',
    'query_api_cache_requests_total{result="miss"} 10',
    'process_resident_memory_bytes 123456789',
    'weird_metric NaN',
  ].join('\n');
  const samples = parsePrometheusText(text);
  it('sums every label set of a counter', () => {
    assert.equal(metricSum(samples, 'ledger_processor_commands_decided_total'), 123);
  });
  it('filters by a label value', () => {
    assert.equal(metricSum(samples, 'query_api_cache_requests_total', 'result="hit"'), 90);
  });
  it('reads unlabelled gauges and skips non-numbers', () => {
    assert.equal(metricSum(samples, 'process_resident_memory_bytes'), 123_456_789);
    assert.equal(metricSum(samples, 'weird_metric'), undefined);
  });
  it('says undefined for a metric that is not there', () => {
    assert.equal(metricSum(samples, 'absent_total'), undefined);
    assert.equal(metricSumMatching(samples, /nothing_like_this/), undefined);
  });
});

describe('prefixEnd (id ranges on a C-collated key)', () => {
  it('given a prefix, then the smallest string above every string that starts with it', () => {
    assert.equal(prefixEnd('r1a-'), 'r1a.');
    assert.equal(prefixEnd('abc'), 'abd');
    for (const id of ['abc', 'abc-1', 'abcz', 'abc~~~'])
      assert.ok(id >= 'abc' && id < prefixEnd('abc'));
    assert.ok(!('abd' < prefixEnd('abc')));
  });
});

describe('medianLoad (read rounds)', () => {
  const load = (name: string, requestsPerSecond: number) =>
    ({ name, requestsPerSecond }) as unknown as LoadResult;
  it('given three rounds, then the middle one by requests/s stands for the server', () => {
    const rounds = [load('slow drift', 30_000), load('fast', 55_000), load('middle', 41_000)];
    assert.equal(medianLoad(rounds).name, 'middle');
  });
});
