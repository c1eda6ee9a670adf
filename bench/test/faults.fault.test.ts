import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { faultGroupsNamed, faultTable, runFaults } from '../src/faults/runFaults.ts';

// The fault suite's short groups (bench/src/faults/faultGroups.ts) against the supervised stack,
// which the suite starts itself: Postgres restarted, the broker SIGKILLed, Redis stopped, for
// real, while transfers flow. `npm test` runs this file alone, after the integration tests
// stopped their stack. The whole suite, three rounds: `npm run faults -- --rounds 3`.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

describe('fault suite (short groups)', () => {
  it('given transfers flowing, when Postgres restarts, the broker is killed and Redis stops, then no service dies, nothing acknowledged is lost or doubled, and a new transfer is visible within 10 s of each', async () => {
    const logsDir = join(repoRoot, 'bench', 'results', 'faults-logs');
    await mkdir(logsDir, { recursive: true });

    const rows = await runFaults({
      repoRoot,
      logsDir,
      groups: faultGroupsNamed(undefined, true),
      rounds: 1,
      seed: 20_261_205,
    });

    console.log(faultTable(rows));
    for (const row of rows)
      assert.deepEqual(row.failures, [], `${row.group}: ${row.failures.join('; ')}`);
  });
});
