import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunningPart } from '../supervisor/supervisor.ts';
import type { StackEndpoint } from './stackEndpoints.ts';

/**
 * `.stack/state.json`: who runs the stack (the `up` process), which parts it started with their
 * pids and command-line markers, and which machine services it started because they were down.
 * `status`, `down` and a second `up` read it; the markers keep a recycled pid from being taken
 * for one of ours.
 */
export const stateFormatVersion = 1;
/** Every `up` runs `node … infra/src/cli/stackCli.ts up`: this proves a pid is one. */
export const supervisorIdentity = 'stackCli.ts';

export type StackMode = 'deps-only' | 'full';
export type StackPhase = 'starting' | 'ready' | 'stopping';

export interface StackState {
  readonly formatVersion: typeof stateFormatVersion;
  readonly supervisorPid: number;
  readonly startedAt: string;
  readonly mode: StackMode;
  /** Nodes of the Kafka cluster it runs (`up --brokers N`); absent in older files: one. */
  readonly kafkaNodes?: number;
  readonly phase: StackPhase;
  readonly parts: readonly RunningPart[];
  /** Machine services that were down and that this stack started, so it stops them too. */
  readonly startedDaemons: {
    readonly postgresCluster?: string;
    readonly redisUrl?: string;
  };
  readonly endpoints: readonly StackEndpoint[];
}

export async function readStackState(path: string): Promise<StackState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as Partial<StackState>;
    // An unreadable or older state is treated as absent; ports are still checked before starting.
    return state.formatVersion === stateFormatVersion && typeof state.supervisorPid === 'number'
      ? (state as StackState)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic (write then rename), so a reader never sees half a file. */
export async function writeStackState(path: string, state: StackState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n');
  await rename(temporary, path);
}

export async function removeStackState(path: string): Promise<void> {
  await rm(path, { force: true });
}

export type StackAssessment =
  /** No state, or nothing in it is alive: free to start. */
  | { readonly kind: 'none' }
  /** The `up` that wrote it is alive: reuse it (or stop it with `down`). */
  | { readonly kind: 'running'; readonly state: StackState }
  /** The `up` is gone but some of its parts still run, unsupervised. */
  | {
      readonly kind: 'orphaned';
      readonly state: StackState;
      readonly liveParts: readonly RunningPart[];
    };

/**
 * What the state file says is running. `isOurs(pid, marker)` checks a pid is alive and still
 * carries the marker; injected so this decision is unit-tested without processes.
 */
export async function assessStackState(
  state: StackState | undefined,
  isOurs: (pid: number, marker: string) => Promise<boolean>,
): Promise<StackAssessment> {
  if (state === undefined) return { kind: 'none' };
  if (await isOurs(state.supervisorPid, supervisorIdentity)) return { kind: 'running', state };
  const liveParts: RunningPart[] = [];
  for (const part of state.parts) {
    if (await isOurs(part.pid, part.identity)) liveParts.push(part);
  }
  return liveParts.length === 0 ? { kind: 'none' } : { kind: 'orphaned', state, liveParts };
}
