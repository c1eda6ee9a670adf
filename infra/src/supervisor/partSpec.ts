import type { PortClaim } from '../processes/portCheck.ts';

/** One long-running part of the stack (Kafka, the registry, a service) as the supervisor runs it. */
export interface PartSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  /** A substring of the command line that proves a pid is this part, not a recycled number. */
  readonly identity: string;
  readonly ports: readonly PortClaim[];
  readonly health: {
    readonly description: string;
    readonly timeoutMs: number;
    readonly probe: () => Promise<boolean>;
  };
  /**
   * Parts with the same key stop at once: the nodes of a Kafka cluster, whose last node would
   * otherwise wait out its stop timeout for a controller quorum that is already gone.
   */
  readonly stopsWith?: string;
  /** Sees every line the part logs, e.g. to echo a service's warnings to the console. */
  readonly onLogLine?: (line: string) => void;
}

export interface RunningPart {
  readonly name: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly logFile: string;
  readonly identity: string;
  /** Deaths after it was healthy since the stack started (each one restarted or given up on). */
  readonly deaths?: number;
}
