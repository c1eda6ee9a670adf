import { join } from 'node:path';
import { startChild, tsxArgs, type Child } from '../stack/childProcess.ts';
import type { BaselineKind } from './serveBaseline.ts';

/** A baseline server running in its own process on a free loopback port. */
export interface RunningBaseline {
  readonly kind: BaselineKind;
  readonly url: string;
  /** What it serves from (table, pool size), for the report. */
  readonly detail: string;
  readonly child: Child;
  stop(): Promise<void>;
}

const baselineStartTimeoutMs = 60_000;
const baselineStopGraceMs = 10_000;

export async function startBaseline(options: {
  kind: BaselineKind;
  repoRoot: string;
  logsDir: string;
  schema?: string;
}): Promise<RunningBaseline> {
  const child = startChild({
    name: `baseline ${options.kind}`,
    command: process.execPath,
    args: tsxArgs('bench/src/baselines/serveBaseline.ts', [
      options.kind,
      '0',
      ...(options.schema === undefined ? [] : [options.schema]),
    ]),
    cwd: options.repoRoot,
    logFile: join(options.logsDir, `baseline-${options.kind}.log`),
  });
  const line = await child.waitForLine(
    (text) => text.startsWith('listening '),
    baselineStartTimeoutMs,
  );
  const [, port, ...detail] = line.split(' ');
  return {
    kind: options.kind,
    url: `http://127.0.0.1:${port ?? '0'}`,
    detail: detail.join(' '),
    child,
    stop: () => child.stop('SIGTERM', baselineStopGraceMs),
  };
}
