import type { StackPaths } from '../paths.ts';
import { isOurProcess } from '../processes/processInfo.ts';
import { terminateProcess } from '../processes/terminateProcess.ts';
import { stopPostgresCluster } from '../localServices/postgres.ts';
import { stopRedis } from '../localServices/redis.ts';
import { formatElapsed, type Reporter } from '../reporter.ts';
import { stackLimits } from '../stackLimits.ts';
import type { RunningPart } from '../supervisor/supervisor.ts';
import { waitUntil } from '../supervisor/waitFor.ts';
import { failures } from '../failures.ts';
import { removeStackState, supervisorIdentity, type StackState } from './stateFile.ts';

/**
 * Stopping a stack from outside its `up` process (`down`, or a new `up` cleaning leftovers):
 * ask the supervising `up` to stop (it knows the order and what it started), or, when it is gone,
 * stop its recorded parts newest first and the machine services it had started.
 */
export async function stopSupervisedStack(
  paths: StackPaths,
  state: StackState,
  reporter: Reporter,
): Promise<void> {
  const pid = state.supervisorPid;
  reporter.line('stack', `asking the running stack (pid ${pid}) to stop`);
  // Only the `up` process itself: it stops its parts in order (they are in their own groups).
  process.kill(pid, 'SIGTERM');
  const outcome = await waitUntil(async () => !(await isOurProcess(pid, supervisorIdentity)), {
    timeoutMs: stackLimits.downTimeoutMs,
  });
  if (outcome.kind !== 'ok') throw failures.downTimedOut(pid, stackLimits.downTimeoutMs);
  await removeStackState(paths.stateFile); // normally removed by the stack itself
  reporter.line('stack', `stopped (pid ${pid})`);
}

export async function stopOrphanedParts(
  paths: StackPaths,
  liveParts: readonly RunningPart[],
  startedDaemons: StackState['startedDaemons'],
  reporter: Reporter,
): Promise<void> {
  for (const part of [...liveParts].reverse()) {
    // Check again right before signalling: the pid must still carry our marker.
    if (!(await isOurProcess(part.pid, part.identity))) continue;
    const startedMs = Date.now();
    const how = await terminateProcess(part.pid);
    reporter.line(
      part.name,
      `${how === 'killed' ? 'killed' : 'stopped'} (pid ${part.pid}) in ${formatElapsed(Date.now() - startedMs)}`,
    );
  }
  await stopStartedDaemons(startedDaemons, reporter);
  await removeStackState(paths.stateFile);
}

/** Postgres and Redis are stopped only when this stack started them. */
export async function stopStartedDaemons(
  startedDaemons: StackState['startedDaemons'],
  reporter: Reporter,
): Promise<void> {
  if (startedDaemons.redisUrl !== undefined) await stopRedis(startedDaemons.redisUrl, reporter);
  if (startedDaemons.postgresCluster !== undefined) {
    await stopPostgresCluster(startedDaemons.postgresCluster, reporter);
  }
}
