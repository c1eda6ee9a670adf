import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../reporter.ts';
import { ensureCachedDistribution, isCompleteZip } from './cacheMarker.ts';
import { fetchWithMaven, type MavenArtifact } from './mavenFetch.ts';

/**
 * Kafka 4.3.1: current 4.x, and kafkajs 2.2.4 was seen producing, consuming in groups and
 * running transactions against it (infra/test/kafkaClientCompat.int.test.ts keeps proving it).
 * Kafka 4 logs through log4j2 behind slf4j 1.7, so the slf4j→log4j2 bridge is added with the
 * log4j version Kafka itself brings.
 */
export const kafkaDistribution = {
  version: '4.3.1',
  scalaVersion: '2.13',
  log4jVersion: '2.25.4',
} as const;

export interface KafkaDistribution {
  readonly version: string;
  readonly libsDir: string;
  /** Whether this call had to fetch (first run, or a corrupt cache). */
  readonly fetched: boolean;
}

export interface EnsureKafkaOptions {
  readonly cacheDir: string;
  readonly reporter: Reporter;
  readonly version?: string;
}

export function kafkaArtifacts(version: string): MavenArtifact[] {
  return [
    {
      groupId: 'org.apache.kafka',
      artifactId: `kafka_${kafkaDistribution.scalaVersion}`,
      version,
    },
    { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version },
    {
      groupId: 'org.apache.logging.log4j',
      artifactId: 'log4j-slf4j-impl',
      version: kafkaDistribution.log4jVersion,
    },
  ];
}

/** Jars the broker, the controller and StorageTool cannot run without. */
export function expectedKafkaJars(version: string): string[] {
  return [
    `kafka_${kafkaDistribution.scalaVersion}-${version}.jar`,
    `kafka-clients-${version}.jar`,
    `kafka-server-${version}.jar`,
    `kafka-server-common-${version}.jar`,
    `kafka-metadata-${version}.jar`,
    `kafka-raft-${version}.jar`,
    `kafka-storage-${version}.jar`,
    `kafka-tools-${version}.jar`,
    `kafka-group-coordinator-${version}.jar`,
  ];
}
const expectedJarPrefixes = ['scala-library-', 'log4j-core-', 'log4j-slf4j-impl-', 'slf4j-api-'];

/** Returns the Kafka classpath folder, fetching it once into the cache (again if corrupt). */
export async function ensureKafkaDistribution(
  options: EnsureKafkaOptions,
): Promise<KafkaDistribution> {
  const version = options.version ?? kafkaDistribution.version;
  const what = `Kafka ${version}`;
  const dir = join(options.cacheDir, `kafka-${version}`);
  const libsDir = join(dir, 'libs');
  const fetched = await ensureCachedDistribution({
    part: 'kafka',
    what,
    dir,
    size: '~55 MB',
    reporter: options.reporter,
    findProblem: () => findLibsProblem(libsDir, version),
    fetch: () =>
      fetchWithMaven({
        part: 'kafka',
        what,
        workDir: join(options.cacheDir, 'fetch', `kafka-${version}`),
        outputDir: libsDir,
        reporter: options.reporter,
        mode: 'dependencies',
        artifacts: kafkaArtifacts(version),
      }),
  });
  if (fetched) {
    options.reporter.line('kafka', `fetched ${what} (${(await readdir(libsDir)).length} jars)`);
  }
  return { version, libsDir, fetched };
}

async function findLibsProblem(libsDir: string, version: string): Promise<string | undefined> {
  let jars: string[];
  try {
    jars = await readdir(libsDir);
  } catch {
    return `${libsDir} is missing`;
  }
  for (const jar of expectedKafkaJars(version)) {
    if (!jars.includes(jar)) return `${jar} is missing`;
    if (!(await isCompleteZip(join(libsDir, jar)))) return `${jar} is truncated`;
  }
  for (const prefix of expectedJarPrefixes) {
    if (!jars.some((jar) => jar.startsWith(prefix))) return `no ${prefix}*.jar`;
  }
  return undefined;
}
