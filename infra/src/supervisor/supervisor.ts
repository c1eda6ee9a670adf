import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFailure, failures, StackFailure } from '../failures.ts';
import { assertPortsFree } from '../processes/portCheck.ts';
import { terminateProcess } from '../processes/terminateProcess.ts';
import { formatElapsed, type Reporter } from '../reporter.ts';
import {
  restartPolicy as defaultRestartPolicy,
  stackLimits,
  type RestartPolicy,
} from '../stackLimits.ts';
import { closeLog, fileSize, followLog, lastMeaningfulLine, openPartLog } from './partLogs.ts';
import { checkRestartPolicy, decideRestart, pruneDeaths } from './restartPolicy.ts';
import type { PartSpec, RunningPart } from './partSpec.ts';
import { waitUntil } from './waitFor.ts';

export type { PartSpec, RunningPart } from './partSpec.ts';

export interface SupervisorOptions {
  readonly reporter: Reporter;
  /** Called whenever pids change, so the state file stays current for `status` and `down`. */
  readonly onChange?: (parts: readonly RunningPart[]) => void;
  /** A part exceeded its restart budget: the stack should stop and report this. */
  readonly onGiveUp: (failure: StackFailure) => void;
  readonly policy?: RestartPolicy;
  readonly stopTimeoutMs?: number;
}

interface Incarnation {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAtMs: number;
  readonly exited: Promise<void>;
  exit?: string;
  healthyAtMs?: number;
}

interface ManagedPart {
  readonly spec: PartSpec;
  current?: Incarnation;
  deathTimesMs: number[];
  consecutiveDeaths: number;
  deathsTotal: number;
  stopping: boolean;
  readonly abort: AbortController;
  follower?: { stop(): void };
}

/**
 * Starts parts as child processes, waits until each is healthy, restarts a part that dies with
 * exponential backoff under a restart budget (like a compose restart policy), and stops them in
 * reverse order. A part that dies before it was ever healthy is a start failure, not restarted:
 * a bad config or a taken port would only fail again.
 */
export class Supervisor {
  private readonly parts: ManagedPart[] = [];
  private readonly policy: RestartPolicy;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.policy = options.policy ?? defaultRestartPolicy;
    checkRestartPolicy(this.policy);
  }

  async start(spec: PartSpec): Promise<RunningPart> {
    if (this.stopping !== undefined)
      throw new StackFailure(spec.name, 'not started', 'the stack is stopping');
    const part: ManagedPart = {
      spec,
      deathTimesMs: [],
      deathsTotal: 0,
      consecutiveDeaths: 0,
      stopping: false,
      abort: new AbortController(),
    };
    // Registered before any await, so the stop order is the order start() was called in.
    this.parts.push(part);
    await assertPortsFree(spec.name, spec.ports);
    const incarnation = await this.launch(part);
    return this.describe(part, incarnation);
  }

  /** Whether start() was ever called: there is something to stop and report on. */
  get hasParts(): boolean {
    return this.parts.length > 0;
  }

  running(): RunningPart[] {
    return this.parts.flatMap((part) =>
      part.current === undefined || part.current.exit !== undefined
        ? []
        : [this.describe(part, part.current)],
    );
  }

  /**
   * Stops every part this supervisor started, newest first (a `stopsWith` group at once). Safe to
   * call more than once.
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      let remaining = [...this.parts].reverse();
      for (let first = remaining[0]; first !== undefined; first = remaining[0]) {
        const key = first.spec.stopsWith;
        const together = remaining.filter(
          (part) => part === first || (key !== undefined && part.spec.stopsWith === key),
        );
        remaining = remaining.filter((part) => !together.includes(part));
        await Promise.all(together.map((part) => this.stop(part)));
      }
    })();
    return this.stopping;
  }

  private async stop(part: ManagedPart): Promise<void> {
    part.stopping = true;
    part.abort.abort();
    part.follower?.stop();
    const current = part.current;
    if (current === undefined || current.exit !== undefined) return;
    const startedMs = Date.now();
    const how = await terminateProcess(current.pid, {
      timeoutMs: this.options.stopTimeoutMs ?? stackLimits.stopTimeoutMs,
      exited: current.exited,
    });
    const elapsed = formatElapsed(Date.now() - startedMs);
    this.options.reporter.line(
      part.spec.name,
      how === 'killed'
        ? `killed (pid ${current.pid}) after ${elapsed}`
        : `stopped (pid ${current.pid}) in ${elapsed}`,
    );
    this.notify();
  }

  /** Spawns the part and resolves once healthy; throws a one-line StackFailure otherwise. */
  private async launch(part: ManagedPart): Promise<Incarnation> {
    const { spec } = part;
    const fd = await openPartLog(
      spec.logFile,
      `${spec.name}: ${spec.command} ${spec.args.join(' ')}`,
    );
    const offset = await fileSize(spec.logFile);
    let child: ChildProcess;
    try {
      // detached: the part leads its own process group, so a Ctrl-C in the terminal reaches
      // only us and we stop parts in order, instead of all of them dying at once.
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeLog(fd);
    }
    const incarnation = await new Promise<Incarnation>((resolve, reject) => {
      child.once('error', (error) =>
        reject(
          new StackFailure(
            spec.name,
            `cannot run ${spec.command} (${error.message})`,
            'check that it is installed and on PATH',
          ),
        ),
      );
      child.once('spawn', () => {
        let markExited = () => {};
        const exited = new Promise<void>((done) => (markExited = done));
        const created: Incarnation = {
          child,
          pid: child.pid ?? -1,
          startedAtMs: Date.now(),
          exited,
        };
        child.once('exit', (code, signal) => {
          created.exit = signal === null ? `exit code ${code ?? 'unknown'}` : `killed by ${signal}`;
          markExited();
          this.onExit(part, created);
        });
        resolve(created);
      });
    });
    part.current = incarnation;
    if (part.stopping) {
      // stop() ran while we were spawning and could not see this child yet.
      await terminateProcess(incarnation.pid, { exited: incarnation.exited });
      throw new StackFailure(spec.name, 'stopped while starting', 'nothing to do');
    }
    part.follower?.stop();
    if (spec.onLogLine !== undefined)
      part.follower = followLog(spec.logFile, offset, spec.onLogLine);
    this.notify();
    this.options.reporter.line(
      spec.name,
      `started (pid ${incarnation.pid}), waiting for ${spec.health.description}`,
    );

    const outcome = await waitUntil(spec.health.probe, {
      timeoutMs: spec.health.timeoutMs,
      stopWhen: () => incarnation.exit ?? (part.stopping ? 'stopping' : undefined),
    });
    if (outcome.kind === 'ok') {
      incarnation.healthyAtMs = Date.now();
      const elapsed = formatElapsed(incarnation.healthyAtMs - incarnation.startedAtMs);
      this.options.reporter.line(spec.name, `healthy after ${elapsed}`);
      return incarnation;
    }
    if (outcome.kind === 'timeout') {
      await terminateProcess(incarnation.pid, { exited: incarnation.exited });
      throw failures.healthTimeout(
        spec.name,
        spec.health.timeoutMs,
        spec.health.description,
        spec.logFile,
      );
    }
    const exit = incarnation.exit ?? outcome.reason;
    throw failures.exitedBeforeHealthy(
      spec.name,
      exit,
      spec.logFile,
      await lastMeaningfulLine(spec.logFile),
    );
  }

  private onExit(part: ManagedPart, incarnation: Incarnation): void {
    this.notify();
    // Deaths while stopping are expected; deaths before healthy are handled by launch().
    if (part.stopping || incarnation.healthyAtMs === undefined) return;
    const stable = Date.now() - incarnation.healthyAtMs >= this.policy.stableAfterMs;
    if (stable) part.consecutiveDeaths = 0;
    this.recordDeath(part);
    void this.restart(part, incarnation.exit ?? 'exited');
  }

  private async restart(part: ManagedPart, exit: string): Promise<void> {
    const { spec } = part;
    let lastExit = exit;
    for (;;) {
      const decision = decideRestart(
        {
          deathTimesMs: part.deathTimesMs,
          consecutiveDeaths: part.consecutiveDeaths,
          nowMs: Date.now(),
        },
        this.policy,
      );
      if (decision.kind === 'give-up') {
        this.options.onGiveUp(
          failures.restartLimit(
            spec.name,
            decision.deathsInWindow,
            this.policy.restartWindowMs,
            spec.logFile,
          ),
        );
        return;
      }
      this.options.reporter.line(
        spec.name,
        `died (${lastExit}), restarting in ${formatElapsed(decision.delayMs)} ` +
          `(${decision.deathsInWindow} of at most ${this.policy.restartsPerWindowMax} restarts ` +
          `within ${formatElapsed(this.policy.restartWindowMs)}; see ${spec.logFile})`,
      );
      try {
        await sleep(decision.delayMs, undefined, { signal: part.abort.signal });
      } catch {
        return; // stopping
      }
      if (part.stopping) return;
      try {
        const incarnation = await this.launch(part);
        this.options.reporter.line(spec.name, `restarted (pid ${incarnation.pid})`);
        return;
      } catch (error) {
        if (part.stopping) return;
        lastExit = describeFailure(error, spec.name);
        this.recordDeath(part);
      }
    }
  }

  /** Deaths older than the window are dropped, so the list stays within the restart budget. */
  private recordDeath(part: ManagedPart): void {
    const now = Date.now();
    part.consecutiveDeaths += 1;
    part.deathsTotal += 1;
    part.deathTimesMs = [...pruneDeaths(part.deathTimesMs, now, this.policy), now];
  }

  private describe({ spec, deathsTotal }: ManagedPart, incarnation: Incarnation): RunningPart {
    return {
      deaths: deathsTotal,
      name: spec.name,
      pid: incarnation.pid,
      startedAt: new Date(incarnation.startedAtMs).toISOString(),
      logFile: spec.logFile,
      identity: spec.identity,
    };
  }

  private notify(): void {
    this.options.onChange?.(this.running());
  }
}
