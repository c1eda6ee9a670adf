import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageOf, summarizeProfile } from '../src/report/cpuProfile.ts';

describe('CPU profile summary', () => {
  it('attributes frames to node_modules packages, workspaces, node internals and V8 pseudo-frames', () => {
    assert.equal(packageOf('file:///work/main/node_modules/kafkajs/src/index.js', 'x'), 'kafkajs');
    assert.equal(
      packageOf('file:///r/node_modules/@kafkajs/confluent-schema-registry/dist/a.js', 'x'),
      '@kafkajs/confluent-schema-registry',
    );
    assert.equal(
      packageOf('file:///work/main/ledger-processor/src/processor.ts', 'x'),
      'ledger-processor',
    );
    assert.equal(packageOf('node:internal/streams/readable', 'x'), 'node (internals)');
    assert.equal(packageOf('', '(garbage collector)'), '(garbage collector)');
  });

  it('given samples, then self time per node, summed by package and function, idle kept apart', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summarizeProfile('svc', {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('(idle)', '') },
        { id: 3, callFrame: frame('decode', 'file:///x/node_modules/avsc/lib/types.js') },
        { id: 4, callFrame: frame('query', 'file:///x/node_modules/pg/lib/client.js') },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [1_000, 2_000, 2_000, 1_000, 4_000],
    });
    assert.equal(summary.sampledMs, 10);
    assert.equal(summary.idleMs, 5);
    assert.deepEqual(summary.byPackage, [
      ['(idle)', 5],
      ['avsc', 4],
      ['pg', 1],
    ]);
    assert.equal(
      summary.topFunctions[1]?.[0],
      'decode x/node_modules/avsc/lib/types.js:1'.replace('x/node_modules/', ''),
    );
  });
});
