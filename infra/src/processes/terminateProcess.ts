import { setTimeout as sleep } from 'node:timers/promises';
import { stackLimits } from '../stackLimits.ts';
import { isAlive } from './processInfo.ts';
import { waitUntil } from '../supervisor/waitFor.ts';

/**
 * SIGTERM to the process group (parts run detached, each leading its own group, so helpers a
 * part spawned go too), then SIGKILL after the budget. `exited` is the child's exit event when we
 * spawned it ourselves; otherwise the pid is polled. Returns how it ended.
 */
export async function terminateProcess(
  pid: number,
  options: { timeoutMs?: number; exited?: Promise<void> } = {},
): Promise<'terminated' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  const timeoutMs = options.timeoutMs ?? stackLimits.stopTimeoutMs;
  signalGroup(pid, 'SIGTERM');
  if (await waitForExit(pid, timeoutMs, options.exited)) return 'terminated';
  signalGroup(pid, 'SIGKILL');
  await waitForExit(pid, stackLimits.afterKillWaitMs, options.exited);
  return 'killed';
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal); // not a group leader (started by someone else)
    } catch {
      // already gone
    }
  }
}

async function waitForExit(
  pid: number,
  timeoutMs: number,
  exited: Promise<void> | undefined,
): Promise<boolean> {
  if (exited !== undefined) {
    const timeout = sleep(timeoutMs, 'timeout' as const, { ref: false });
    return (await Promise.race([exited.then(() => 'exited' as const), timeout])) === 'exited';
  }
  const outcome = await waitUntil(() => Promise.resolve(!isAlive(pid)), { timeoutMs });
  return outcome.kind === 'ok';
}
