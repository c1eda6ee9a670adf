import type { StackConfig } from '@ledger/runtime';
import type { StackPaths } from '../paths.ts';
import { isOurProcess } from '../processes/processInfo.ts';
import { findLiveParts, knownParts } from './liveParts.ts';
import { formatEndpoints } from './stackEndpoints.ts';
import { assessStackState, readStackState } from './stateFile.ts';

/** Exit code of `status` when nothing runs (LSB's "program is not running"). */
export const statusNotRunning = 3;

/**
 * `status`: what the state file says, checked against reality (pid alive with our marker, port
 * or /readyz answering). Returns lines to print and the exit code (0 running, 3 not running).
 */
export async function stackStatus(
  paths: StackPaths,
  config: StackConfig,
): Promise<{ lines: string[]; code: number }> {
  const state = await readStackState(paths.stateFile);
  const assessment = await assessStackState(state, isOurProcess);
  const live = await findLiveParts(paths, config, state);
  if (assessment.kind === 'none' && live.length === 0) {
    return { lines: ['stack: not running'], code: statusNotRunning };
  }
  const lines: string[] = [];
  if (assessment.kind === 'running') {
    const s = assessment.state;
    lines.push(`stack: ${s.phase} (pid ${s.supervisorPid}, ${s.mode}) since ${s.startedAt}`);
  } else {
    lines.push('stack: parts running without their up process (npm run stack -- down stops them)');
  }
  for (const known of knownParts(paths, config)) {
    const part = live.find((candidate) => candidate.name === known.name);
    if (part === undefined) continue;
    const healthy = await known.healthy();
    lines.push(
      `${part.name}: pid ${part.pid}, ${healthy ? 'healthy' : 'NOT healthy'}, log ${part.logFile}`,
    );
  }
  const daemons = state?.startedDaemons ?? {};
  if (daemons.postgresCluster !== undefined)
    lines.push(`postgres: cluster ${daemons.postgresCluster} started by this stack`);
  if (daemons.redisUrl !== undefined)
    lines.push(`redis: started by this stack at ${daemons.redisUrl}`);
  if (state !== undefined && state.endpoints.length > 0)
    lines.push(`endpoints: ${formatEndpoints(state.endpoints)}`);
  return { lines, code: 0 };
}
