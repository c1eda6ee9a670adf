import { existsSync } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { failures } from '../failures.ts';
import type { Reporter } from '../reporter.ts';

/**
 * A fetched distribution is usable only if its completion marker exists and every file it lists
 * still has the size it had when the fetch was verified. The marker is written last, after the
 * verification, so an interrupted or half-copied fetch has none and is fetched again.
 */
export const completionMarkerName = '.complete.json';

interface CompletionMarker {
  readonly what: string;
  readonly completedAt: string;
  readonly files: Record<string, number>;
}

export type CacheCheck = { readonly ok: true } | { readonly ok: false; readonly problem: string };

export interface CachedDistributionOptions {
  readonly part: string;
  /** Human name, e.g. "Kafka 4.3.1"; also recorded in the marker. */
  readonly what: string;
  /** The distribution's own folder in the cache; emptied before a fetch. */
  readonly dir: string;
  /** Download size for the first-fetch line, e.g. "~55 MB". */
  readonly size: string;
  readonly reporter: Reporter;
  /** What is wrong with the files in `dir` beyond the marker, undefined when usable. */
  readonly findProblem: () => Promise<string | undefined>;
  /** Fills `dir` (it does not exist when this is called). */
  readonly fetch: () => Promise<void>;
}

/**
 * Reuses a verified copy in the cache, else fetches it again from scratch, verifies it and writes
 * the marker last. Returns whether it had to fetch.
 */
export async function ensureCachedDistribution(
  options: CachedDistributionOptions,
): Promise<boolean> {
  const { part, what, dir, reporter } = options;
  const cached = existsSync(dir);
  const problem = cached ? await findCacheProblem(options) : 'not fetched yet';
  if (problem === undefined) return false;
  reporter.line(
    part,
    cached
      ? `cache ${dir} is incomplete or corrupt (${problem}): fetching it again`
      : `fetching ${what} from Maven Central into ${dir} (${options.size}, once)`,
  );
  await rm(dir, { recursive: true, force: true });
  await options.fetch();
  const fetchedProblem = await options.findProblem();
  if (fetchedProblem !== undefined)
    throw failures.fetchUnverifiable(part, what, fetchedProblem, dir);
  await writeCompletionMarker(dir, what);
  return true;
}

async function findCacheProblem(options: CachedDistributionOptions): Promise<string | undefined> {
  const marker = await checkCompletionMarker(options.dir, options.what);
  return marker.ok ? options.findProblem() : marker.problem;
}

async function listFiles(dir: string): Promise<Record<string, number>> {
  const files: Record<string, number> = {};
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name !== completionMarkerName) {
        files[relative(dir, path)] = (await stat(path)).size;
      }
    }
  };
  await walk(dir);
  return files;
}

export async function writeCompletionMarker(dir: string, what: string): Promise<void> {
  const marker: CompletionMarker = {
    what,
    completedAt: new Date().toISOString(),
    files: await listFiles(dir),
  };
  const temporary = join(dir, `${completionMarkerName}.tmp`);
  await writeFile(temporary, JSON.stringify(marker, null, 1));
  await rename(temporary, join(dir, completionMarkerName)); // atomic: marker is all or nothing
}

/** Checks the marker against the files on disk: cheap (sizes only), run on every start. */
export async function checkCompletionMarker(dir: string, what: string): Promise<CacheCheck> {
  let marker: CompletionMarker;
  try {
    marker = JSON.parse(
      await readFile(join(dir, completionMarkerName), 'utf8'),
    ) as CompletionMarker;
  } catch {
    return { ok: false, problem: 'no completion marker, an earlier fetch did not finish' };
  }
  if (marker.what !== what) {
    return { ok: false, problem: `marker is for ${marker.what}, expected ${what}` };
  }
  const entries = Object.entries(marker.files);
  if (entries.length === 0) return { ok: false, problem: 'marker lists no files' };
  for (const [file, size] of entries) {
    let actual: number;
    try {
      actual = (await stat(join(dir, file))).size;
    } catch {
      return { ok: false, problem: `${file} is missing` };
    }
    if (actual !== size)
      return { ok: false, problem: `${file} has ${actual} bytes, expected ${size}` };
  }
  return { ok: true };
}

/** End-of-central-directory record signature: every complete zip/jar ends with one. */
const zipEndSignature = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** The record is 22 bytes plus a comment of at most 64 KiB. */
const zipTailBytesMax = 22 + 65_535;

/** True when the file looks like a complete zip (a truncated download fails this). */
export async function isCompleteZip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, zipTailBytesMax);
    if (length < 22) return false;
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    return tail.lastIndexOf(zipEndSignature) !== -1;
  } finally {
    await handle.close();
  }
}
