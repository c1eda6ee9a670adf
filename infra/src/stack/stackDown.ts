import type { StackConfig } from '@ledger/runtime';
import type { StackPaths } from '../paths.ts';
import { isOurProcess } from '../processes/processInfo.ts';
import type { Reporter } from '../reporter.ts';
import { findLiveParts } from './liveParts.ts';
import { assessStackState, readStackState, removeStackState } from './stateFile.ts';
import { stopOrphanedParts, stopSupervisedStack } from './stopStack.ts';

/**
 * `down`: stops the stack another `up` started — through that `up` when it is alive (it stops
 * its parts in reverse order and the services it started), else part by part from the state file
 * and our ports. Never signals a process that does not carry this checkout's marker.
 */
export async function stackDown(
  paths: StackPaths,
  config: StackConfig,
  reporter: Reporter,
): Promise<number> {
  const state = await readStackState(paths.stateFile);
  const assessment = await assessStackState(state, isOurProcess);
  if (assessment.kind === 'running') {
    await stopSupervisedStack(paths, assessment.state, reporter);
    return 0;
  }
  const live = await findLiveParts(paths, config, state);
  if (live.length === 0) {
    await removeStackState(paths.stateFile);
    reporter.line('stack', 'no stack running for this checkout, nothing to stop');
    return 0;
  }
  reporter.line(
    'stack',
    `its up process is gone; stopping ${live.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
  );
  await stopOrphanedParts(paths, live, state?.startedDaemons ?? {}, reporter);
  return 0;
}
