// Which test files exist, by kind: the one finder `npm test` (scripts/test.mjs) and every
// package's `test:unit` / `test:int` / `test:fault` scripts (scripts/packageTests.mjs) use, so
// the per-package runs and `npm test` cannot disagree on what a test is.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Test kinds by file suffix: unit (no services), int (the real dependencies), fault (a stack of their own). */
export const testKinds = { unit: '.unit.test.ts', int: '.int.test.ts', fault: '.fault.test.ts' };

/** The workspaces the root package.json declares: a new one is found without editing this file. */
export function workspaceDirs() {
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return workspaces;
}

/** Test files of `kind` under `dir` (node_modules and dot folders skipped), relative to `from`, sorted. */
export function testFilesIn(dir, kind, from = repoRoot) {
  const suffix = testKinds[kind];
  if (suffix === undefined) throw new Error(`unknown test kind ${kind}`);
  const found = [];
  const walk = (at) => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(suffix)) found.push(relative(from, path));
    }
  };
  walk(dir);
  return found.sort();
}

/** Every workspace's test files of `kind`, relative to the repo root. */
export function repoTestFiles(kind) {
  return workspaceDirs()
    .flatMap((workspace) => testFilesIn(join(repoRoot, workspace), kind))
    .sort();
}
