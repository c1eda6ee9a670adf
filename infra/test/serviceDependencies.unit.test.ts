import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../src/paths.ts';

// Services stand alone: each is built, tested and deployed on its own, sharing only the packages
// below. Tests that need several services together live in e2e/ (@ledger/e2e), the one package
// allowed to depend on them all, with bench (a tool that drives the whole stack).

const services = ['command-api', 'ledger-processor', 'projector', 'query-api', 'auditor'];
/** Shared by services; none may depend on a service (testing is every service's devDependency). */
const sharedPackages = ['runtime', 'schemas', 'infra', 'testing'];
const serviceUsers = ['e2e', 'bench'];

interface PackageJson {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const readPackage = (dir: string) =>
  JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as PackageJson;
const serviceNames = new Map(services.map((dir) => [readPackage(dir).name, dir]));

function dependencyNames(manifest: PackageJson): string[] {
  return [
    manifest.dependencies,
    manifest.devDependencies,
    manifest.peerDependencies,
    manifest.optionalDependencies,
  ].flatMap((deps) => Object.keys(deps ?? {}));
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

void describe('service dependencies', () => {
  void it('given the root workspaces, then each is a service, a shared package or a user of services, so a new one is placed', () => {
    const workspaces = readPackage('.').workspaces ?? [];

    assert.deepEqual(
      [...workspaces].sort(),
      [...services, ...sharedPackages, ...serviceUsers].sort(),
    );
  });

  void it('given each service and shared package, then its package.json lists no service but itself', () => {
    for (const dir of [...services, ...sharedPackages]) {
      const manifest = readPackage(dir);
      const listed = dependencyNames(manifest).filter(
        (name) => serviceNames.has(name) && name !== manifest.name,
      );

      assert.deepEqual(listed, [], `${dir}/package.json depends on another service`);
    }
  });

  void it('given every TypeScript file of a service or shared package, then none imports another service, by name or by a path into its folder', () => {
    const reaches: string[] = [];
    for (const dir of [...services, ...sharedPackages]) {
      for (const file of typeScriptFiles(join(repoRoot, dir))) {
        const text = readFileSync(file, 'utf8');
        const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map(
          (match) => match[1]!,
        );
        for (const specifier of specifiers) {
          const byName = /^(@ledger\/[a-z-]+)/.exec(specifier)?.[1];
          const target = byName
            ? serviceNames.get(byName)
            : specifier.startsWith('.')
              ? relative(repoRoot, join(file, '..', specifier)).split('/')[0]
              : undefined;
          if (target !== undefined && target !== dir && services.includes(target))
            reaches.push(`${relative(repoRoot, file)} imports ${specifier}`);
        }
      }
    }

    assert.deepEqual(reaches, []);
  });
});
