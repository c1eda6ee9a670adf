import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KafkaNodeAddress } from '@ledger/runtime';
import type { Kafka } from 'kafkajs';
import { failures } from '../failures.ts';
import type { Reporter } from '../reporter.ts';
import { canConnect } from '../processes/portCheck.ts';
import { describeExit, lastLine, runCommand } from '../processes/runCommand.ts';
import { stackLimits } from '../stackLimits.ts';
import type { PartSpec } from '../supervisor/supervisor.ts';
import {
  kafkaLog4j2Properties,
  localKafkaSettings,
  renderProperties,
  serverProperties,
} from './serverProperties.ts';

/**
 * A node of the local Kafka cluster: its generated config, its storage formatted once, and the
 * part spec the supervisor runs (`java -cp 'libs/*' kafka.Kafka server.properties`).
 */
export interface KafkaNodeOptions {
  readonly libsDir: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly node: KafkaNodeAddress;
  readonly cluster: readonly KafkaNodeAddress[];
  /** Marker on the java command line that identifies this checkout's Kafka. */
  readonly stackDir: string;
}

/** `kafka` for a single node (as it always was), `kafka-1` … `kafka-3` in a cluster. */
export function kafkaPartName(nodeId: number, nodes: number): string {
  return nodes === 1 ? 'kafka' : `kafka-${nodeId}`;
}

/**
 * Where a node keeps its data and generated config. A single node keeps the folders it always
 * had; a cluster's nodes live apart from them, so switching topologies never mixes two clusters.
 */
export function kafkaNodeDirs(
  paths: { kafkaDataDir: string; kafkaConfigDir: string },
  nodeId: number,
  nodes: number,
): { dataDir: string; configDir: string } {
  if (nodes === 1) return { dataDir: paths.kafkaDataDir, configDir: paths.kafkaConfigDir };
  const node = `node-${nodeId}`;
  return {
    dataDir: join(`${paths.kafkaDataDir}-n${nodes}`, node),
    configDir: join(`${paths.kafkaConfigDir}-n${nodes}`, node),
  };
}

/** A heap that holds a local broker+controller (~400 MB resident). */
const kafkaJvmOptions = ['-Xmx512m', '-Xms128m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];

export interface KafkaNodeFiles {
  readonly serverProperties: string;
  readonly log4jProperties: string;
}

export async function writeKafkaConfig(options: KafkaNodeOptions): Promise<KafkaNodeFiles> {
  await mkdir(options.configDir, { recursive: true });
  const files = {
    serverProperties: join(options.configDir, 'server.properties'),
    log4jProperties: join(options.configDir, 'log4j2.properties'),
  };
  const settings = localKafkaSettings({
    node: options.node,
    cluster: options.cluster,
    dataDir: options.dataDir,
  });
  await writeFile(files.serverProperties, renderProperties(serverProperties(settings)));
  await writeFile(files.log4jProperties, kafkaLog4j2Properties());
  return files;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's Uuid format). */
export function generateClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka avoids these: they read as CLI flags
  }
}

/**
 * The id every node of one cluster is formatted with: the one a node already carries (a node
 * whose folder was lost rejoins its cluster), else a new one.
 */
export async function clusterIdFor(dataDirs: readonly string[]): Promise<string> {
  for (const dataDir of dataDirs) {
    const meta = await readFile(join(dataDir, 'meta.properties'), 'utf8').catch(() => '');
    const id = /^cluster\.id=(\S+)$/m.exec(meta)?.[1];
    if (id !== undefined) return id;
  }
  return generateClusterId();
}

/** Formats the data folder on first use only; a formatted one has meta.properties. */
export async function ensureKafkaStorageFormatted(
  options: KafkaNodeOptions,
  files: KafkaNodeFiles,
  reporter: Reporter,
  clusterId: string,
): Promise<boolean> {
  if (existsSync(join(options.dataDir, 'meta.properties'))) return false;
  await mkdir(options.dataDir, { recursive: true });
  const result = await runCommand(
    'java',
    [
      ...javaBase(options, files),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      files.serverProperties,
    ],
    { timeoutMs: stackLimits.kafkaFormatTimeoutMs },
  );
  if (result.code !== 0) {
    const detail =
      lastLine(result.output) || describeExit(result, stackLimits.kafkaFormatTimeoutMs);
    throw failures.kafkaFormatFailed(detail, options.dataDir);
  }
  reporter.line(
    kafkaPartName(options.node.nodeId, options.cluster.length),
    `formatted KRaft storage in ${options.dataDir} (cluster ${clusterId})`,
  );
  return true;
}

/** On the java command line: proves a pid is this checkout's Kafka (see stack/stateFile.ts). */
export function kafkaIdentity(stackDir: string, partName = 'kafka'): string {
  return `-Dledger.stack.part=${partName}@${stackDir}`;
}

function partNameOf(options: KafkaNodeOptions): string {
  return kafkaPartName(options.node.nodeId, options.cluster.length);
}

function javaBase(options: KafkaNodeOptions, files: KafkaNodeFiles): string[] {
  return [
    `-Dlog4j2.configurationFile=${files.log4jProperties}`,
    kafkaIdentity(options.stackDir, partNameOf(options)),
    '-cp',
    join(options.libsDir, '*'),
  ];
}

/** `kafka` is a client of this node alone: the health probe asks this node, not the cluster. */
export function kafkaPartSpec(
  options: KafkaNodeOptions,
  files: KafkaNodeFiles,
  kafka: Kafka,
): PartSpec {
  const name = partNameOf(options);
  const { brokerPort } = options.node;
  return {
    name,
    command: 'java',
    args: [...kafkaJvmOptions, ...javaBase(options, files), 'kafka.Kafka', files.serverProperties],
    cwd: options.configDir,
    env: process.env,
    logFile: options.logFile,
    identity: kafkaIdentity(options.stackDir, name),
    stopsWith: 'kafka',
    ports: [
      { port: brokerPort, envName: 'LEDGER_KAFKA_PORT' },
      { port: options.node.controllerPort, envName: 'LEDGER_KAFKA_CONTROLLER_PORT' },
    ],
    health: {
      description: `a broker on 127.0.0.1:${brokerPort} (describeCluster)`,
      timeoutMs: stackLimits.kafkaHealthTimeoutMs,
      probe: async () => (await canConnect(brokerPort)) && (await brokerAnswers(kafka)),
    },
  };
}

/** The broker answers metadata requests, i.e. it has joined its own quorum and is serving. */
export async function brokerAnswers(kafka: Kafka): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
