import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assert,
  createKafkaClient,
  kafkaNodeAddresses,
  topicNames,
  type Logger,
  type StackConfig,
} from '@ledger/runtime';
import { describeFailure, type StackFailure } from '../failures.ts';
import {
  clusterIdFor,
  ensureKafkaStorageFormatted,
  kafkaNodeDirs,
  kafkaPartName,
  kafkaPartSpec,
  writeKafkaConfig,
  type KafkaNodeOptions,
} from '../kafka/kafkaNode.ts';
import { assertOffsetsWithinTopics } from './offsetsCheck.ts';
import type { StackPaths } from '../paths.ts';
import { assertPortsFree, type PortClaim } from '../processes/portCheck.ts';
import { registryJdbcTarget, registryPartSpec } from '../registry/registryNode.ts';
import type { Reporter } from '../reporter.ts';
import { stackLimits } from '../stackLimits.ts';
import { Supervisor, type PartSpec, type RunningPart } from '../supervisor/supervisor.ts';
import { checkExistingStack } from './existingStack.ts';
import { prepareDatabases, prepareDistributions } from './prepareDependencies.ts';
import { provisionTopicsAndSchemas } from './provision.ts';
import { serviceParts } from './serviceParts.ts';
import { readyLine, serviceNames, stackEndpoints, type ServiceName } from './stackEndpoints.ts';
import {
  stateFormatVersion,
  removeStackState,
  writeStackState,
  type StackState,
} from './stateFile.ts';
import { stopStartedDaemons } from './stopStack.ts';

/**
 * `up`: reuse a running stack, or start every part in dependency order, print `stack ready`,
 * supervise until SIGINT/SIGTERM (or a part exhausts its restarts), then stop exactly what this
 * process started, newest first. Returns the exit code.
 */
export interface StackUpOptions {
  readonly paths: StackPaths;
  readonly config: StackConfig;
  readonly depsOnly: boolean;
  readonly verbose: boolean;
  readonly reporter: Reporter;
  readonly logger: Logger;
  /** Where the `stack ready` / reuse line and failure lines go. */
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
}

export async function stackUp(options: StackUpOptions): Promise<number> {
  const { paths, config, reporter } = options;
  const startedAtMs = Date.now();
  const existing = await checkExistingStack(paths, config, reporter);
  if (existing.kind === 'reused') {
    options.print(existing.line);
    return 0;
  }

  let state: StackState = {
    formatVersion: stateFormatVersion,
    supervisorPid: process.pid,
    startedAt: new Date(startedAtMs).toISOString(),
    mode: options.depsOnly ? 'deps-only' : 'full',
    kafkaNodes: config.kafkaNodes,
    phase: 'starting',
    parts: [],
    startedDaemons: {},
    endpoints: [],
  };
  // Exclusive create: of two `up`s racing past the check above, only one goes on.
  await mkdir(paths.stackDir, { recursive: true });
  try {
    await writeFile(paths.stateFile, JSON.stringify(state, null, 2) + '\n', { flag: 'wx' });
  } catch {
    const again = await checkExistingStack(paths, config, reporter);
    if (again.kind === 'reused') {
      options.print(again.line);
      return 0;
    }
    await writeStackState(paths.stateFile, state);
  }
  let stateWrites = Promise.resolve();
  const updateState = (change: Partial<StackState>) => {
    state = { ...state, ...change };
    const snapshot = state;
    stateWrites = stateWrites
      .then(() => writeStackState(paths.stateFile, snapshot))
      .catch(() => undefined);
  };

  let exitCode = 0;
  let stopRequested = false;
  let wakeUp = () => {};
  const stopped = new Promise<void>((resolve) => (wakeUp = resolve));
  const supervisor = new Supervisor({
    reporter,
    onChange: (parts: readonly RunningPart[]) => updateState({ parts }),
    onGiveUp: (failure: StackFailure) => {
      options.printError(describeFailure(failure));
      exitCode = 1;
      requestStop();
    },
  });
  const requestStop = () => {
    if (stopRequested) return;
    stopRequested = true;
    updateState({ phase: 'stopping' });
    wakeUp();
    void supervisor.stopAll(); // interrupts a part still waiting to be healthy
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      reporter.line(
        'stack',
        `${signal} again: already stopping, each part gets at most its stop timeout`,
      );
      return;
    }
    reporter.line('stack', `${signal}: stopping what this stack started`);
    requestStop();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);

  try {
    await startEverything(options, supervisor, updateState, () => stopRequested);
    if (!stopRequested) {
      const services = supervisor
        .running()
        .map((part) => part.name)
        .filter(isService);
      const endpoints = stackEndpoints(config, services);
      updateState({ phase: 'ready', endpoints });
      const note = options.depsOnly ? ' (dependencies only)' : '';
      options.print(readyLine(Date.now() - startedAtMs, endpoints, note));
      await stopped;
    }
  } catch (error) {
    if (!stopRequested) {
      options.printError(describeFailure(error));
      exitCode = 1;
    }
  } finally {
    requestStop();
    await supervisor.stopAll();
    await stopStartedDaemons(state.startedDaemons, reporter);
    await stateWrites;
    await removeStackState(paths.stateFile);
    for (const signal of signals) process.off(signal, onSignal);
  }
  const startedDaemons = Object.keys(state.startedDaemons).length > 0;
  if (supervisor.hasParts || startedDaemons)
    reporter.line('stack', 'stopped everything it started');
  return exitCode;
}

async function startEverything(
  options: StackUpOptions,
  supervisor: Supervisor,
  updateState: (change: Partial<StackState>) => void,
  stopRequested: () => boolean,
): Promise<void> {
  const { paths, config, reporter } = options;
  const services = options.depsOnly
    ? []
    : serviceParts({
        repoRoot: paths.repoRoot,
        logsDir: paths.logsDir,
        config,
        reporter,
        verbose: options.verbose,
      });
  const cluster = kafkaNodeAddresses(config);
  // `down` budgets its wait for this many parts (stackLimits.downTimeoutMs).
  const partCount = cluster.length + 1 + services.length; // Kafka nodes, the registry, services
  assert(partCount <= stackLimits.partsMax, `${partCount} parts, at most ${stackLimits.partsMax}`);
  // Every port first: a taken port should fail in a second, not after the downloads.
  const claims: { part: string; claim: PortClaim }[] = [
    ...cluster.flatMap((node) => {
      const part = kafkaPartName(node.nodeId, cluster.length);
      return [
        { part, claim: { port: node.brokerPort, envName: 'LEDGER_KAFKA_PORT' } },
        { part, claim: { port: node.controllerPort, envName: 'LEDGER_KAFKA_CONTROLLER_PORT' } },
      ];
    }),
    { part: 'registry', claim: { port: config.registryPort, envName: 'LEDGER_REGISTRY_PORT' } },
    ...services.flatMap((spec) => spec.ports.map((claim) => ({ part: spec.name, claim }))),
  ];
  for (const { part, claim } of claims) await assertPortsFree(part, [claim]);

  const distributions = await prepareDistributions(paths, reporter);
  if (stopRequested()) return;
  let daemons: StackState['startedDaemons'] = {};
  await prepareDatabases(config, paths, reporter, (started) => {
    daemons = { ...daemons, ...started };
    updateState({ startedDaemons: daemons });
  });
  if (stopRequested()) return;

  const kafkaNodes: KafkaNodeOptions[] = cluster.map((node) => ({
    libsDir: distributions.kafka.libsDir,
    ...kafkaNodeDirs(paths, node.nodeId, cluster.length),
    logFile: join(paths.logsDir, `${kafkaPartName(node.nodeId, cluster.length)}.log`),
    node,
    cluster,
    stackDir: paths.stackDir,
  }));
  const clusterId = await clusterIdFor(kafkaNodes.map((node) => node.dataDir));
  const kafkaSpecs: PartSpec[] = [];
  for (const node of kafkaNodes) {
    const files = await writeKafkaConfig(node);
    await ensureKafkaStorageFormatted(node, files, reporter, clusterId);
    const nodeClient = createKafkaClient({
      clientId: 'ledger-stack',
      brokers: [`127.0.0.1:${node.node.brokerPort}`],
      logger: options.logger,
    });
    kafkaSpecs.push(kafkaPartSpec(node, files, nodeClient));
  }
  const kafka = createKafkaClient({
    clientId: 'ledger-stack',
    brokers: config.kafkaBrokers,
    logger: options.logger,
  });
  const jdbc = registryJdbcTarget(config.postgresAdminUrl);
  const registry = registryPartSpec({
    runnerJar: distributions.registry.runnerJar,
    port: config.registryPort,
    jdbcUrl: jdbc.jdbcUrl,
    databaseUser: jdbc.user,
    logFile: join(paths.logsDir, 'registry.log'),
    stackDir: paths.stackDir,
  });
  // Kafka and the registry are independent: start the JVMs at once (a cluster's nodes must: none
  // is healthy before a majority of the quorum runs).
  await startAll(supervisor, [...kafkaSpecs, registry]);
  if (stopRequested()) return;

  await provisionTopicsAndSchemas(kafka, config, { reporter, logger: options.logger });
  if (stopRequested() || services.length === 0) return;
  await assertOffsetsWithinTopics(kafka, config.postgresUrl, topicNames(config.topicPrefix));
  await startAll(supervisor, services);
}

/** Starts parts in parallel; the first failure is thrown after all attempts settled. */
async function startAll(supervisor: Supervisor, specs: readonly PartSpec[]): Promise<void> {
  const results = await Promise.allSettled(specs.map((spec) => supervisor.start(spec)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

function isService(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}
