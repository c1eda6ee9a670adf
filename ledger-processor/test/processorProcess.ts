import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const repoRoot = new URL('../../', import.meta.url).pathname;
/** How long a spawned processor may take to join its group and say it is consuming. */
export const processorStartTimeoutMs = 60_000;

/** A ledger processor as a real OS process, so a test can kill -9 it mid-batch. */
export class ProcessorProcess {
  private child: ChildProcess | undefined;
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'ledger-processor/src/main.ts'], {
      cwd: repoRoot,
      env: { ...this.env, LEDGER_LOG_LEVEL: 'info', LEDGER_PROCESSOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not start: ${output.slice(-2000)}`)),
        processorStartTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"consuming"')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${this.name} exited (${code ?? signal}) before consuming: ${output.slice(-2000)}`,
          ),
        );
      });
    });
    // Keep draining its output so a full pipe never blocks it.
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** SIGKILL: no shutdown hook runs, whatever batch is in flight is cut wherever it is. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.kill9();
    this.restarts += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}
