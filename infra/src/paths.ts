import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: infra/src/paths.ts is two folders below it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/**
 * Where the stack keeps what it fetched (git-ignored `.cache/`, survives `down`) and what it runs
 * (`.stack/`: data, generated configs, logs, state). Tests pass their own temporary folders.
 */
export interface StackPaths {
  readonly repoRoot: string;
  readonly cacheDir: string;
  readonly stackDir: string;
  readonly logsDir: string;
  readonly stateFile: string;
  readonly kafkaDataDir: string;
  readonly kafkaConfigDir: string;
}

/**
 * `LEDGER_STACK_DIR` / `LEDGER_CACHE_DIR` move the two folders, e.g. to run a second, isolated
 * stack beside the usual one (tests of the CLI do), or to share one download cache.
 */
export function stackPaths(
  root: string = repoRoot,
  env: NodeJS.ProcessEnv = process.env,
): StackPaths {
  const stackDir = nonEmpty(env.LEDGER_STACK_DIR) ?? join(root, '.stack');
  return {
    repoRoot: root,
    cacheDir: nonEmpty(env.LEDGER_CACHE_DIR) ?? join(root, '.cache'),
    stackDir,
    logsDir: join(stackDir, 'logs'),
    stateFile: join(stackDir, 'state.json'),
    kafkaDataDir: join(stackDir, 'kafka-data'),
    kafkaConfigDir: join(stackDir, 'kafka'),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
