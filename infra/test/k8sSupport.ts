// Shared by the infra/k8s tests: the rendered manifests, their types and the lookups the
// tests make in them.
import assert from 'node:assert/strict';

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readStackConfig, type StackConfig } from '@ledger/runtime';

import { repoRoot } from '../src/paths.ts';

import {
  kubectlAvailable,
  kustomizations,
  renderKustomization,
  type K8sObject,
} from '../src/k8s/manifests.ts';

// infra/k8s rendered with `kubectl kustomize` (offline: no cluster needed), every object checked
// against its schema, and the manifests held to the code: the variables the services read, their
// ports and drain budget, the topics and partitions KEDA scales on.

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
}
export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}
export type Workload = K8sObject & { spec: { template: PodTemplate; replicas?: number } };

export const services = ['command-api', 'query-api', 'ledger-processor', 'projector'] as const;
export type ServiceName = (typeof services)[number];
export const apis: readonly ServiceName[] = ['command-api', 'query-api'];
export const consumers = { 'ledger-processor': 'commands', projector: 'events' } as const;
export const groupIdVariables = {
  'ledger-processor': 'LEDGER_PROCESSOR_GROUP_ID',
  projector: 'LEDGER_PROJECTOR_GROUP_ID',
} as const;
export const portOf = (config: StackConfig, service: ServiceName): number =>
  ({
    'command-api': config.ports.commandApi,
    'query-api': config.ports.queryApi,
    'ledger-processor': config.ports.ledgerProcessor,
    projector: config.ports.projector,
  })[service];

// ---- what the code reads -------------------------------------------------------------------

export const workspaceDirs: Map<string, string> = (() => {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return new Map(
    root.workspaces.map((dir) => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as {
        name: string;
      };
      return [manifest.name, dir];
    }),
  );
})();

/** The TypeScript files a module imports, relative or through an @ledger/* workspace. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
  return specifiers.flatMap((specifier) => {
    if (specifier.startsWith('.')) {
      const path = join(dirname(file), specifier);
      return [path.endsWith('.ts') ? path : `${path}.ts`];
    }
    const workspace = /^(@ledger\/[a-z-]+)(?:\/(.+))?$/.exec(specifier);
    const dir = workspace ? workspaceDirs.get(workspace[1]!) : undefined;
    if (dir === undefined) return [];
    return [join(repoRoot, dir, 'src', `${workspace![2] ?? 'index'}.ts`)];
  });
}

/**
 * Every LEDGER_* name in the modules a process loads: the import closure of its entry point
 * (the Deployment's or Job's first argument), so a variable read anywhere on its path counts.
 */
export function variablesReadFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [join(repoRoot, entry)];
  const names = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/\bLEDGER_[A-Z0-9_]+\b/g)) {
      names.add(match[0]);
    }
    pending.push(...importsOf(file));
  }
  return names;
}

// ---- rendered objects ----------------------------------------------------------------------

export const canRender = kubectlAvailable();
export const skipRender = canRender ? false : 'kubectl is not installed: cannot render kustomize';
export const rendered = new Map<string, K8sObject[]>(
  canRender ? kustomizations.map((name) => [name, renderKustomization(name)]) : [],
);
export const overlays = kustomizations.filter((name) => name.startsWith('overlays/'));

export function objectsOf(kustomization: string): K8sObject[] {
  const objects = rendered.get(kustomization);
  assert.ok(objects, `${kustomization} was not rendered`);
  return objects;
}
export function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  assert.ok(found, `no ${kind} ${name}`);
  return found as T;
}
/** ConfigMaps and Secrets keep their base names plus kustomize's hash suffix. */
export function findGenerated(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find(
    (object) =>
      object.kind === kind &&
      (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)),
  );
  assert.ok(found, `no ${kind} ${name}`);
  return found;
}
export function dataOf(object: K8sObject): Record<string, string> {
  const data = (object.data ?? {}) as Record<string, string>;
  if (object.kind !== 'Secret') return data;
  const decoded = Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
  );
  return { ...decoded, ...((object.stringData ?? {}) as Record<string, string>) };
}
export function ledgerConfig(objects: K8sObject[]): Record<string, string> {
  return dataOf(findGenerated(objects, 'ConfigMap', 'ledger-config'));
}
export function stackConfigOf(objects: K8sObject[]): StackConfig {
  return readStackConfig(ledgerConfig(objects));
}
export function container(workload: Workload): Container {
  const [first] = workload.spec.template.spec.containers;
  assert.ok(first, `${workload.metadata.name} has no container`);
  return first;
}
/** Every variable a container gets, resolved through the objects it names. */
export function environmentOf(objects: K8sObject[], workload: Workload): Map<string, string> {
  const env = new Map<string, string>();
  const c = container(workload);
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    assert.ok(ref, `${workload.metadata.name}: envFrom without a ConfigMap or Secret`);
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    for (const [key, value] of Object.entries(dataOf(find(objects, kind, ref.name)))) {
      env.set(key, value);
    }
  }
  for (const variable of c.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const map = variable.valueFrom?.configMapKeyRef;
    if (secret || map) {
      const ref = (secret ?? map)!;
      const data = dataOf(find(objects, secret ? 'Secret' : 'ConfigMap', ref.name));
      assert.ok(ref.key in data, `${workload.metadata.name}: ${ref.name} has no key ${ref.key}`);
      env.set(variable.name, data[ref.key]!);
    } else {
      env.set(variable.name, variable.value ?? '');
    }
  }
  return env;
}
/** The workspace a container runs: its first argument is `<workspace>/src/….ts`. */
export function workspaceOf(workload: Workload): string {
  const entry = container(workload).args?.[0];
  assert.ok(entry, `${workload.metadata.name} names no entry point`);
  assert.ok(existsSync(join(repoRoot, entry)), `${workload.metadata.name}: no file ${entry}`);
  return entry.split('/')[0]!;
}
export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
export function preStopSleepSeconds(c: Container): number {
  const command = c.lifecycle?.preStop?.exec?.command;
  if (command === undefined) return 0;
  assert.equal(command[0], 'sleep', `${c.name}: preStop is not a sleep`);
  return Number(command[1]);
}
export function probePort(c: Container, probe: Probe | undefined, what: string): number {
  assert.ok(probe?.httpGet, `${c.name} has no HTTP ${what} probe`);
  const { port } = probe.httpGet;
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  assert.ok(named, `${c.name}: ${what} probe names unknown port ${port}`);
  return named.containerPort;
}

export function sourceFilesOfK8s(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFilesOfK8s(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}
