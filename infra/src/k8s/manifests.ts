import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../paths.ts';

/** A Kubernetes object as kustomize renders it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<
    string,
    unknown
  >;
  readonly [field: string]: unknown;
}

export const k8sDir = join(repoRoot, 'infra/k8s');
/** The kustomizations a user applies: the base, and every overlay. */
export const kustomizations = ['base', 'overlays/local'] as const;

export function parseManifests(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${source}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    const value = document.toJS() as K8sObject | null;
    return value === null ? [] : [value];
  });
}

/** Whether `kubectl kustomize` can run here (it renders offline, no cluster needed). */
export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** `kubectl kustomize infra/k8s/<kustomization>`: the objects `kubectl apply -k` would send. */
export function renderKustomization(kustomization: string): K8sObject[] {
  const directory = join(k8sDir, kustomization);
  const result = spawnSync('kubectl', ['kustomize', directory], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${directory} failed: ${result.stderr || result.error}`);
  }
  return parseManifests(result.stdout, directory);
}

/** `group/version/Kind` (core kinds: `v1/Kind`), the key schemas are looked up by. */
export function typeKey(object: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  return `${object.apiVersion}/${object.kind}`;
}
