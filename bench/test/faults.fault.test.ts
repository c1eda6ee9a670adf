import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { faultGroupsNamed, faultTable, runFaults } from '../src/faults/runFaults.ts';
import { useFreshLedger } from '../src/stack/freshLedger.ts';

// The fault suite's short groups (bench/src/faults/faultGroups.ts) against the supervised stack,
// which the suite starts itself: Postgres restarted, the broker SIGKILLed, Redis stopped, for
// real, while transfers flow; then a 3-node cluster (`up --brokers 3`) loses one node. `npm test`
// runs this file alone, after the integration tests stopped their stack. The whole suite, three
// rounds: `npm run faults -- --rounds 3` and `npm run faults -- --brokers 3 --rounds 3`.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

async function runAndReport(groups: ReturnType<typeof faultGroupsNamed>): Promise<void> {
  const logsDir = join(repoRoot, 'bench', 'results', 'faults-logs');
  await mkdir(logsDir, { recursive: true });

  const rows = await runFaults({
    repoRoot,
    logsDir,
    groups,
    rounds: 1,
    seed: 20_261_205,
    deleteTopicsAfter: true,
  });

  console.log(faultTable(rows));
  // CI keeps this output, not the stack's logs: say what the stack said about a failure.
  for (const row of rows) if (row.diagnostics !== undefined) console.log(row.diagnostics);
  for (const row of rows)
    assert.deepEqual(row.failures, [], `${row.group}: ${row.failures.join('; ')}`);
}

describe('fault suite (short groups)', () => {
  it('given transfers flowing, when Postgres restarts, the broker is killed and Redis stops, then no service dies, nothing acknowledged is lost or doubled, and a new transfer is visible within 10 s of each', async () => {
    await useFreshLedger('ledger_faults', 1);

    await runAndReport(faultGroupsNamed(undefined, true, 1));
  });

  it('given transfers flowing on a 3-node cluster, when the node leading most partitions is killed, then nothing acknowledged is lost or doubled, no client waits over 10 s and a new transfer is visible within 10 s of the kill', async () => {
    await useFreshLedger('ledger_faults_n3', 3);

    await runAndReport(faultGroupsNamed(['broker-kill-one'], true, 3));
  });
});
