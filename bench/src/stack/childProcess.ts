import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

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
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listeners = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    log.write(line + '\n');
    if (options.echo?.(line) === true) console.log(`  [${options.name}] ${line}`);
    for (const listener of listeners) listener(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      log.end();
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
