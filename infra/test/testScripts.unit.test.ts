import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../src/paths.ts';

// `npm test` (scripts/test.mjs) and each package's test:unit / test:int / test:fault scripts
// (scripts/packageTests.mjs, reached by `turbo run …`) find test files with one finder,
// scripts/testFiles.mjs. These tests hold the packages to it: the same three scripts
// everywhere, and no test file that neither would run.

const kinds = ['unit', 'int', 'fault'] as const;

interface PackageJson {
  workspaces?: string[];
  scripts?: Record<string, string>;
}
const readPackage = (dir: string) =>
  JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as PackageJson;

/** What scripts/testFiles.mjs finds, asked of the script itself (plain JS, run by node). */
function filesNpmTestRuns(): Record<(typeof kinds)[number], string[]> {
  const program = `import('./scripts/testFiles.mjs').then((m) => console.log(JSON.stringify(
    Object.fromEntries(${JSON.stringify(kinds)}.map((kind) => [kind, m.repoTestFiles(kind)])))))`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<(typeof kinds)[number], string[]>;
}

function everyTestFile(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    if (['bench/results', 'coverage', 'dist'].includes(relative(repoRoot, join(dir, entry.name))))
      return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return everyTestFile(path);
    return /\.test\.[cm]?[jt]s$/.test(entry.name) ? [relative(repoRoot, path)] : [];
  });
}

void describe('test scripts', () => {
  const workspaces = readPackage('.').workspaces ?? [];

  void it('given every workspace, then each has the same test:unit, test:int and test:fault scripts', () => {
    for (const workspace of workspaces) {
      const scripts = readPackage(workspace).scripts ?? {};
      for (const kind of kinds) {
        assert.equal(
          scripts[`test:${kind}`],
          `node ../scripts/packageTests.mjs ${kind}`,
          `${workspace}: test:${kind}`,
        );
      }
    }
  });

  void it('given the root package, then test:unit, test:int and test:fault are turbo runs of those tasks, which turbo.json declares', () => {
    const root = readPackage('.').scripts ?? {};
    const turbo = JSON.parse(readFileSync(join(repoRoot, 'turbo.json'), 'utf8')) as {
      tasks: Record<string, unknown>;
    };
    for (const kind of kinds) {
      assert.match(root[`test:${kind}`] ?? '', new RegExp(`^turbo run test:${kind}\\b`));
      assert.ok(turbo.tasks[`test:${kind}`], `turbo.json declares test:${kind}`);
    }
  });

  void it('given every test file in the repo, then each is a unit, int or fault test of a workspace, so npm test and the packages run it', () => {
    const found = filesNpmTestRuns();
    const run = new Set([...found.unit, ...found.int, ...found.fault]);

    const orphans = everyTestFile(repoRoot).filter((file) => !run.has(file));

    assert.deepEqual(orphans, [], 'test files neither npm test nor a package script runs');
    assert.ok(found.unit.length > 50 && found.int.length > 20 && found.fault.length > 0);
  });
});
