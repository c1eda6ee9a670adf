import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { failures } from '../failures.ts';
import type { Reporter } from '../reporter.ts';
import { describeExit, lastLine, runCommand } from '../processes/runCommand.ts';
import { ensureCachedDistribution, isCompleteZip } from './cacheMarker.ts';
import { fetchWithMaven, type MavenArtifact } from './mavenFetch.ts';

/**
 * Apicurio Registry 3.0.9: the newest line that runs on Java 17 (3.3 needs 21), published on
 * Maven Central as a Quarkus "fast-jar" tarball. It answers the Confluent API under
 * /apis/ccompat/v7, which is what @kafkajs/confluent-schema-registry speaks.
 */
export const registryDistribution = { version: '3.0.9' } as const;

/** A fast-jar ships its dependencies in lib/; far fewer means the tarball was cut short. */
const registryLibFilesMin = 100;

export interface RegistryDistribution {
  readonly version: string;
  readonly runnerJar: string;
  readonly fetched: boolean;
}

export interface EnsureRegistryOptions {
  readonly cacheDir: string;
  readonly reporter: Reporter;
  readonly version?: string;
}

export function registryArtifact(version: string): MavenArtifact {
  return {
    groupId: 'io.apicurio',
    artifactId: 'apicurio-registry-app',
    version,
    type: 'tar.gz',
    classifier: 'all',
  };
}

export function registryRunnerJarName(version: string): string {
  return `apicurio-registry-app-${version}-runner.jar`;
}

/** Returns the registry's runner jar, fetching and unpacking it once (again if corrupt). */
export async function ensureRegistryDistribution(
  options: EnsureRegistryOptions,
): Promise<RegistryDistribution> {
  const version = options.version ?? registryDistribution.version;
  const what = `Apicurio Registry ${version}`;
  const dir = join(options.cacheDir, `apicurio-${version}`);
  const appDir = join(dir, 'app');
  const runnerJar = join(appDir, registryRunnerJarName(version));
  const fetched = await ensureCachedDistribution({
    part: 'registry',
    what,
    dir,
    size: '~110 MB',
    reporter: options.reporter,
    findProblem: () => findAppProblem(appDir, runnerJar),
    fetch: async () => {
      const downloadDir = join(options.cacheDir, 'fetch', `apicurio-${version}`, 'download');
      await rm(downloadDir, { recursive: true, force: true });
      const artifact = registryArtifact(version);
      await fetchWithMaven({
        part: 'registry',
        what,
        workDir: join(options.cacheDir, 'fetch', `apicurio-${version}`),
        outputDir: downloadDir,
        reporter: options.reporter,
        mode: 'single',
        artifacts: [artifact],
      });
      const tarball = join(downloadDir, `${artifact.artifactId}-${version}-all.tar.gz`);
      await mkdir(appDir, { recursive: true });
      const untar = await runCommand('tar', ['-xzf', tarball, '-C', appDir]);
      if (untar.code !== 0) {
        const detail = `tar: ${lastLine(untar.output) || describeExit(untar)}`;
        throw failures.fetchUnverifiable('registry', what, detail, dir);
      }
      // The tarball stays in ~/.m2; the unpacked copy is all the stack needs.
      await rm(downloadDir, { recursive: true, force: true });
    },
  });
  if (fetched) options.reporter.line('registry', `fetched ${what}`);
  return { version, runnerJar, fetched };
}

async function findAppProblem(appDir: string, runnerJar: string): Promise<string | undefined> {
  if (!existsSync(runnerJar)) return `${runnerJar} is missing`;
  if (!(await isCompleteZip(runnerJar))) return `${runnerJar} is truncated`;
  let libs: string[];
  try {
    libs = await readdir(join(appDir, 'lib'));
  } catch {
    return 'lib/ is missing';
  }
  if (libs.length < registryLibFilesMin) {
    return `lib/ holds ${libs.length} files, expected at least ${registryLibFilesMin}`;
  }
  return undefined;
}
