import { spawn } from 'node:child_process';
import { stackLimits } from '../stackLimits.ts';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last `outputBytesMax` bytes of stdout and stderr interleaved, for error lines. */
  readonly output: string;
  readonly timedOut: boolean;
}

export interface RunCommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Called for every complete output line (stdout and stderr), e.g. to condense mvn progress. */
  readonly onLine?: (line: string) => void;
}

/** Tool output kept for error messages; the rest streams through `onLine` only. */
const outputBytesMax = 64 * 1024;

/** Thrown when the executable is not on PATH, so callers can name what to install. */
export class CommandNotFound extends Error {
  override readonly name = 'CommandNotFound';
  constructor(readonly command: string) {
    super(`${command}: not found on PATH`);
  }
}

/** Runs a short-lived command to completion, bounded in time and in the output it keeps. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? stackLimits.commandTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    let timedOut = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-outputBytesMax);
      if (options.onLine === undefined) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new CommandNotFound(command) : error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial !== '' && options.onLine !== undefined) options.onLine(partial);
      resolve({ code, signal, output, timedOut });
    });
  });
}

/** The last non-empty line of a command's output, for a one-line failure. */
export function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

export function describeExit(result: CommandResult, timeoutMs?: number): string {
  if (result.timedOut) return `timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s`;
  if (result.signal !== null) return `killed by ${result.signal}`;
  return `exit code ${result.code ?? 'unknown'}`;
}
