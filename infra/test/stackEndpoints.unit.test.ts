import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readStackConfig } from '@ledger/runtime';
import { readyLine, reuseLine, stackEndpoints } from '../src/stack/stackEndpoints.ts';

const config = readStackConfig({});

void describe('stack endpoints', () => {
  void it('given a full stack, then the ready line says stack ready and lists both APIs, the registry, Kafka and every metrics endpoint', () => {
    const endpoints = stackEndpoints(config, [
      'command-api',
      'ledger-processor',
      'projector',
      'query-api',
    ]);

    const line = readyLine(12_345, endpoints);

    assert.match(line, /^stack ready in 12\.3 s: /);
    assert.ok(line.includes('command API http://127.0.0.1:8080'));
    assert.ok(line.includes('query API http://127.0.0.1:8081'));
    assert.ok(line.includes('registry http://127.0.0.1:8085/apis/ccompat/v7'));
    assert.ok(line.includes('Kafka 127.0.0.1:9092'));
    for (const port of [8080, 8081, 8082, 8083])
      assert.ok(line.includes(`http://127.0.0.1:${port}/metrics`), line);
    assert.ok(!line.includes('\n'));
  });

  void it('given dependencies only, then no service endpoint is listed', () => {
    const line = readyLine(1_000, stackEndpoints(config, []), ' (dependencies only)');

    assert.match(line, /^stack ready in 1\.0 s \(dependencies only\): registry /);
    assert.ok(!line.includes('8080'));
  });

  void it('given a running stack, then the reuse line names its pid and start time and never says stack ready', () => {
    const line = reuseLine(
      { pid: 42, startedAt: '2026-01-01T00:00:00.000Z', mode: 'deps-only' },
      stackEndpoints(config, []),
    );

    assert.match(
      line,
      /^stack already running \(pid 42, deps-only\) since 2026-01-01T00:00:00\.000Z, reusing it: /,
    );
    assert.ok(!line.includes('stack ready'));
  });
});
