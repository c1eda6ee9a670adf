import { join } from 'node:path';
import { kafkaNodeAddresses, type StackConfig } from '@ledger/runtime';
import { kafkaIdentity, kafkaPartName } from '../kafka/kafkaNode.ts';
import type { StackPaths } from '../paths.ts';
import { findPortHolder, isOurProcess } from '../processes/processInfo.ts';
import { canConnect } from '../processes/portCheck.ts';
import { registryIdentity, registrySubjectsUrl } from '../registry/registryNode.ts';
import type { RunningPart } from '../supervisor/supervisor.ts';
import { httpAnswers } from '../supervisor/waitFor.ts';
import { serviceReadyUrl, serviceStartOrder } from './serviceParts.ts';
import { servicePort } from './stackEndpoints.ts';
import type { StackState } from './stateFile.ts';

/**
 * Finds this checkout's parts that are alive: those the state file lists, plus any process that
 * listens on one of our ports with our marker on its command line (a stack whose state file was
 * lost). Someone else's process on our port is not ours and is never touched.
 */
export interface KnownPart {
  readonly name: string;
  readonly identity: string;
  readonly port: number;
  /** One quick health probe, as the part's start-up check asks it. */
  readonly healthy: () => Promise<boolean>;
}

export function knownParts(paths: StackPaths, config: StackConfig): KnownPart[] {
  const cluster = kafkaNodeAddresses(config);
  return [
    ...cluster.map((node) => {
      const name = kafkaPartName(node.nodeId, cluster.length);
      return {
        name,
        identity: kafkaIdentity(paths.stackDir, name),
        port: node.brokerPort,
        healthy: () => canConnect(node.brokerPort),
      };
    }),
    {
      name: 'registry',
      identity: registryIdentity(paths.stackDir),
      port: config.registryPort,
      healthy: () => httpAnswers(registrySubjectsUrl(config.registryPort)),
    },
    ...serviceStartOrder.map((service) => {
      const port = servicePort(config, service);
      return {
        name: service,
        identity: join(paths.repoRoot, service, 'src', 'main.ts'),
        port,
        healthy: () => httpAnswers(serviceReadyUrl(port)),
      };
    }),
  ];
}

export async function findLiveParts(
  paths: StackPaths,
  config: StackConfig,
  state: StackState | undefined,
): Promise<RunningPart[]> {
  const found: RunningPart[] = [];
  for (const part of state?.parts ?? []) {
    if (await isOurProcess(part.pid, part.identity)) found.push(part);
  }
  for (const known of knownParts(paths, config)) {
    if (found.some((part) => part.name === known.name)) continue;
    const holder = await findPortHolder(known.port);
    if (holder !== undefined && (await isOurProcess(holder.pid, known.identity))) {
      found.push({
        name: known.name,
        pid: holder.pid,
        startedAt: 'unknown',
        logFile: join(paths.logsDir, `${known.name}.log`),
        identity: known.identity,
      });
    }
  }
  return found;
}
