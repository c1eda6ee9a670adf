import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * A child the driver started (the stack, a service, a baseline): its output goes to a log file,
 * the driver can wait for a line, and `stop` ends exactly this process, by its pid.
 */
export interface Child {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves with the first output line that matches, rejects on exit or timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGINT/SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Children still running; SIGINTed if the driver exits without stopping them (a crash). */
const runningChildren = new Set<ChildProcess>();
/** How often a child's log file is read for new lines. */
const logPollMs = 200;

export function startChild(options: {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Also echo lines that match to the console (e.g. failures of the stack). */
  echo?: (line: string) => boolean;
}): Child {
  // Output goes straight to the log file, never through a pipe: if the driver dies, a child
  // writing to a closed pipe would die of EPIPE in the middle of stopping what it started.
  let offset = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  const fd = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  runningChildren.add(child);
  installExitHook();
  const listeners = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    if (options.echo?.(line) === true) console.log(`  [${options.name}] ${line}`);
    for (const listener of listeners) listener(line);
  };
  let partial = '';
  const readNew = () => {
    const size = existsSync(options.logFile) ? statSync(options.logFile).size : offset;
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const reader = openSync(options.logFile, 'r');
    try {
      readSync(reader, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(reader);
    }
    offset = size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  const poller = setInterval(readNew, logPollMs);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      runningChildren.delete(child);
      clearInterval(poller);
      readNew();
      resolve(code);
    });
    child.once('error', (error) => {
      onLine(`spawn failed: ${error.message}`);
      resolve(null);
    });
  });
  let running = true;
  void exited.then(() => (running = false));

  return {
    name: options.name,
    pid: child.pid,
    exited,
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(
              `${options.name}: no matching line within ${timeoutMs} ms (log ${options.logFile})`,
            ),
          );
        }, timeoutMs);
        const listener = (line: string) => {
          if (!match(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then((code) => {
          if (!listeners.has(listener)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          reject(
            new Error(
              `${options.name} exited (code ${String(code)}) first; see ${options.logFile}`,
            ),
          );
        });
      });
    },
    async stop(signal, graceMs) {
      if (!running) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `node --import tsx <entry> …` from the repo root: how every service and baseline runs. */
export function tsxArgs(entry: string, args: readonly string[] = []): string[] {
  return ['--import', 'tsx', entry, ...args];
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of runningChildren) child.kill('SIGINT');
  });
}
