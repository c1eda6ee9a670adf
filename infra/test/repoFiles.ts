import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's root: this file is two folders below it. */
export const repoRoot = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/** What is not the repository's own text: installs, git, downloads, stack state, bench output. */
const skippedDirectoryNames = new Set([
  'node_modules',
  '.git',
  '.cache',
  '.stack',
  '.turbo',
  'dist',
  'coverage',
]);
const skippedPaths = new Set(['bench/results']);
/** Larger files are data (fixtures, vendored schemas), never where a reference hides. */
const textBytesMax = 4 * 1024 * 1024;

/** Every file under `directory` (repo-relative paths, sorted), the skipped folders left out. */
export function filesUnder(directory: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string): void => {
    let entries;
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch {
      return; // a folder a workspace does not have (no scripts/, no tools/)
    }
    for (const entry of entries) {
      const path = join(absolute, entry.name);
      const relativePath = relative(repoRoot, path);
      if (entry.isDirectory()) {
        if (!skippedDirectoryNames.has(entry.name) && !skippedPaths.has(relativePath)) walk(path);
      } else if (entry.isFile()) {
        found.push(relativePath);
      }
    }
  };
  walk(join(repoRoot, directory));
  return found.sort();
}

/** A file's text, or undefined when it is binary or too large to be text anyone reads. */
export function readText(relativePath: string): string | undefined {
  const bytes = readFileSync(join(repoRoot, relativePath));
  if (bytes.length > textBytesMax || bytes.includes(0)) return undefined;
  return bytes.toString('utf8');
}
