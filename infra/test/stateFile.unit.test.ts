import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assessStackState,
  readStackState,
  removeStackState,
  stateFormatVersion,
  supervisorIdentity,
  writeStackState,
  type StackState,
} from '../src/stack/stateFile.ts';

const dirs: string[] = [];
async function stateFilePath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-state-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

const state: StackState = {
  formatVersion: stateFormatVersion,
  supervisorPid: 100,
  startedAt: '2026-01-01T00:00:00.000Z',
  mode: 'deps-only',
  phase: 'ready',
  parts: [
    {
      name: 'kafka',
      pid: 200,
      startedAt: '2026-01-01T00:00:01.000Z',
      logFile: '/l/kafka.log',
      identity: 'kafka@/s',
    },
    {
      name: 'registry',
      pid: 300,
      startedAt: '2026-01-01T00:00:01.000Z',
      logFile: '/l/registry.log',
      identity: 'registry@/s',
    },
  ],
  startedDaemons: { redisUrl: 'redis://127.0.0.1:6379' },
  endpoints: [{ name: 'Kafka', url: '127.0.0.1:9092' }],
};

/** A fake process table: pid → command line. */
function processes(table: Record<number, string>) {
  return (pid: number, marker: string) => Promise.resolve(table[pid]?.includes(marker) ?? false);
}

void describe('state file', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  void it('given a written state, when read back, then it is the same; when removed, then it reads as absent', async () => {
    const path = await stateFilePath();

    await writeStackState(path, state);
    assert.deepEqual(await readStackState(path), state);
    await removeStackState(path);
    assert.equal(await readStackState(path), undefined);
  });

  void it('given a corrupt or foreign file, when read, then it counts as absent', async () => {
    const path = await stateFilePath();

    await writeFile(path, '{ half');
    assert.equal(await readStackState(path), undefined);
    await writeFile(path, JSON.stringify({ formatVersion: 99, supervisorPid: 1 }));
    assert.equal(await readStackState(path), undefined);
  });

  void it('given a write, then no temporary file is left beside the state', async () => {
    const path = await stateFilePath();

    await writeStackState(path, state);
    await writeStackState(path, { ...state, phase: 'stopping' });

    assert.deepEqual(await readdir(dirname(path)), ['state.json']);
    assert.equal((await readStackState(path))?.phase, 'stopping');
  });

  void it('given no state, then nothing runs', async () => {
    assert.deepEqual(await assessStackState(undefined, processes({})), { kind: 'none' });
  });

  void it('given the supervisor alive with its marker, then the stack is running', async () => {
    const assessment = await assessStackState(
      state,
      processes({ 100: `node --import tsx x/${supervisorIdentity} up` }),
    );

    assert.equal(assessment.kind, 'running');
  });

  void it('given the supervisor pid reused by another program, then it is not taken for ours', async () => {
    const assessment = await assessStackState(state, processes({ 100: 'vim notes.txt' }));

    assert.deepEqual(assessment, { kind: 'none' });
  });

  void it('given the supervisor gone but Kafka still running, then the stack is orphaned with only the live parts', async () => {
    const assessment = await assessStackState(
      state,
      processes({ 200: 'java -Dledger.stack.part=kafka@/s kafka.Kafka' }),
    );

    assert.equal(assessment.kind, 'orphaned');
    assert.deepEqual(
      assessment.kind === 'orphaned' ? assessment.liveParts.map((part) => part.name) : [],
      ['kafka'],
    );
  });
});
