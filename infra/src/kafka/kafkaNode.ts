import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
 * The local Kafka node: its generated config, its storage formatted once, and the part spec the
 * supervisor runs (`java -cp 'libs/*' kafka.Kafka server.properties`).
 */
export interface KafkaNodeOptions {
  readonly libsDir: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** Marker on the java command line that identifies this checkout's Kafka. */
  readonly stackDir: string;
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
    brokerPort: options.brokerPort,
    controllerPort: options.controllerPort,
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

/** Formats the data folder on first use only; a formatted one has meta.properties. */
export async function ensureKafkaStorageFormatted(
  options: KafkaNodeOptions,
  files: KafkaNodeFiles,
  reporter: Reporter,
): Promise<boolean> {
  if (existsSync(join(options.dataDir, 'meta.properties'))) return false;
  await mkdir(options.dataDir, { recursive: true });
  const clusterId = generateClusterId();
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
  reporter.line('kafka', `formatted KRaft storage in ${options.dataDir} (cluster ${clusterId})`);
  return true;
}

/** On the java command line: proves a pid is this checkout's Kafka (see stack/stateFile.ts). */
export function kafkaIdentity(stackDir: string): string {
  return `-Dledger.stack.part=kafka@${stackDir}`;
}

function javaBase(options: KafkaNodeOptions, files: KafkaNodeFiles): string[] {
  return [
    `-Dlog4j2.configurationFile=${files.log4jProperties}`,
    kafkaIdentity(options.stackDir),
    '-cp',
    join(options.libsDir, '*'),
  ];
}

export function kafkaPartSpec(
  options: KafkaNodeOptions,
  files: KafkaNodeFiles,
  kafka: Kafka,
): PartSpec {
  return {
    name: 'kafka',
    command: 'java',
    args: [...kafkaJvmOptions, ...javaBase(options, files), 'kafka.Kafka', files.serverProperties],
    cwd: options.configDir,
    env: process.env,
    logFile: options.logFile,
    identity: kafkaIdentity(options.stackDir),
    ports: [
      { port: options.brokerPort, envName: 'LEDGER_KAFKA_PORT' },
      { port: options.controllerPort, envName: 'LEDGER_KAFKA_CONTROLLER_PORT' },
    ],
    health: {
      description: `a broker on 127.0.0.1:${options.brokerPort} (describeCluster)`,
      timeoutMs: stackLimits.kafkaHealthTimeoutMs,
      probe: async () => (await canConnect(options.brokerPort)) && (await brokerAnswers(kafka)),
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
