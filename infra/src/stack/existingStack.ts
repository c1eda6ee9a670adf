import { kafkaNodeAddresses, type StackConfig } from '@ledger/runtime';
import { kafkaPartName } from '../kafka/kafkaNode.ts';
import { failures } from '../failures.ts';
import type { StackPaths } from '../paths.ts';
import { canConnect } from '../processes/portCheck.ts';
import { isOurProcess } from '../processes/processInfo.ts';
import { registrySubjectsUrl } from '../registry/registryNode.ts';
import type { Reporter } from '../reporter.ts';
import { stackLimits } from '../stackLimits.ts';
import { httpAnswers, waitUntil } from '../supervisor/waitFor.ts';
import { findLiveParts } from './liveParts.ts';
import { reuseLine, serviceNames, stackEndpoints } from './stackEndpoints.ts';
import {
  assessStackState,
  readStackState,
  removeStackState,
  supervisorIdentity,
} from './stateFile.ts';
import { stopOrphanedParts } from './stopStack.ts';

/**
 * Before `up` starts anything: is this checkout's stack already running? A live `up` (from the
 * state file) is reused, after waiting for it to finish starting; parts that answer on our ports
 * with our markers but lost their `up` are reused when complete and healthy, else stopped, so the
 * new `up` starts from a clean slate. Foreign processes are left to the port check.
 */
export type ExistingStack =
  { readonly kind: 'none' } | { readonly kind: 'reused'; readonly line: string };

/** A second `up` waits at most this long for a first one that is still starting. */
const waitForStartingStackMs =
  stackLimits.fetchTimeoutMs +
  stackLimits.kafkaHealthTimeoutMs +
  stackLimits.registryHealthTimeoutMs;

export async function checkExistingStack(
  paths: StackPaths,
  config: StackConfig,
  reporter: Reporter,
): Promise<ExistingStack> {
  const state = await readStackState(paths.stateFile);
  const assessment = await assessStackState(state, isOurProcess);
  if (assessment.kind === 'running') {
    const running = assessment.state;
    const runningNodes = running.kafkaNodes ?? 1;
    if (runningNodes !== config.kafkaNodes) {
      throw failures.otherTopology(running.supervisorPid, runningNodes, config.kafkaNodes);
    }
    if (running.phase !== 'ready') {
      reporter.line(
        'stack',
        `a stack is ${running.phase} (pid ${running.supervisorPid}), waiting for it`,
      );
      await waitUntil(
        async () => {
          const now = await readStackState(paths.stateFile);
          return (
            now?.phase === 'ready' ||
            !(await isOurProcess(running.supervisorPid, supervisorIdentity))
          );
        },
        { timeoutMs: waitForStartingStackMs, intervalMs: 1_000 },
      );
      const after = await readStackState(paths.stateFile);
      if (
        after?.phase !== 'ready' ||
        !(await isOurProcess(after.supervisorPid, supervisorIdentity))
      ) {
        reporter.line(
          'stack',
          `the other stack (pid ${running.supervisorPid}) did not become ready, starting anew`,
        );
        return checkExistingStack(paths, config, reporter);
      }
      return {
        kind: 'reused',
        line: reuseLine({ pid: after.supervisorPid, ...after }, after.endpoints),
      };
    }
    return {
      kind: 'reused',
      line: reuseLine({ pid: running.supervisorPid, ...running }, running.endpoints),
    };
  }

  const live = await findLiveParts(paths, config, state);
  if (live.length === 0) {
    await removeStackState(paths.stateFile); // stale: everything in it is gone
    return { kind: 'none' };
  }
  const names = live.map((part) => part.name);
  const services = serviceNames.filter((name) => names.includes(name));
  const kafkaParts = kafkaNodeAddresses(config).map((node) =>
    kafkaPartName(node.nodeId, config.kafkaNodes),
  );
  const complete =
    kafkaParts.every((name) => names.includes(name)) &&
    names.includes('registry') &&
    (state?.parts ?? []).every((part) => names.includes(part.name));
  const registrySubjects = registrySubjectsUrl(config.registryPort);
  if (complete && (await canConnect(config.kafkaPort)) && (await httpAnswers(registrySubjects))) {
    const kafka = live.find((part) => part.name === kafkaParts[0]);
    const found = {
      pid: kafka?.pid ?? 0,
      startedAt: state?.startedAt ?? 'an unknown time',
      mode: `${services.length === 0 ? 'deps-only' : 'full'}, unsupervised: its up process is gone`,
    };
    return { kind: 'reused', line: reuseLine(found, stackEndpoints(config, services)) };
  }
  const list = live.map((part) => `${part.name} pid ${part.pid}`).join(', ');
  reporter.line('stack', `found leftovers of an earlier stack (${list}): stopping them first`);
  await stopOrphanedParts(paths, live, state?.startedDaemons ?? {}, reporter);
  return { kind: 'none' };
}
