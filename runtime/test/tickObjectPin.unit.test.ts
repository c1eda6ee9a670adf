import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./tickObjectPinChild.ts', import.meta.url));

/** Runs the check in a process of its own: it needs a GC and V8's test functions. */
function runChild(): { pinned: boolean; symbolKeys: number; sameShapeAfterGc: boolean } {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', child],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ReturnType<typeof runChild>;
}

void describe('pinTickObjectShape', () => {
  void it('given a pinned tick object, when full GCs run with no tick queued, then new tick objects keep its shape', () => {
    const { pinned, symbolKeys, sameShapeAfterGc } = runChild();

    assert.equal(pinned, true);
    assert.equal(symbolKeys, 2, 'a tick object carries its async id and trigger id');
    assert.equal(sameShapeAfterGc, true);
  });
});
