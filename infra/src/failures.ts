/**
 * Every way the local stack can fail, each as ONE line: the part, what went wrong, and what to
 * do about it (`<part>: <cause>: <fix>`). Parts throw these; the CLI prints `failureLine` and
 * exits non-zero. Keeping the catalogue here keeps the wording consistent and testable.
 */
export class StackFailure extends Error {
  override readonly name = 'StackFailure';
  constructor(
    readonly part: string,
    readonly reason: string,
    readonly fix: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${part}: ${reason}: ${fix}`, options);
  }
}

export function failureLine(failure: StackFailure): string {
  return oneLine(`${failure.part}: ${failure.reason}: ${failure.fix}`);
}

/** Anything thrown, as one line; unknown errors are named as such so they get reported. */
export function describeFailure(error: unknown, part = 'stack'): string {
  if (error instanceof StackFailure) return failureLine(error);
  const message = error instanceof Error ? error.message : String(error);
  return oneLine(
    `${part}: unexpected error (${message}): see .stack/logs/stack.log and report it if it persists`,
  );
}

/** Multi-line tool output squeezed into one line, bounded so the terminal stays readable. */
export function oneLine(text: string, maxLength = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxLength ? flat : `${flat.slice(0, maxLength - 1)}…`;
}

export interface PortHolder {
  readonly pid: number;
  readonly command: string;
}

export const failures = {
  portInUse: (part: string, port: number, holder: PortHolder | undefined, envName: string) =>
    new StackFailure(
      part,
      `port ${port} is in use by another process (${
        holder === undefined ? 'owner unknown' : `pid ${holder.pid} ${holder.command}`
      })`,
      `stop it or set ${envName}`,
    ),

  commandNotFound: (part: string, command: string, install: string) =>
    new StackFailure(part, `not found on PATH (${command})`, `install it (${install})`),

  javaMissing: () =>
    new StackFailure(
      'java',
      'not found on PATH',
      'install a JDK 17 (apt-get install openjdk-17-jre-headless)',
    ),

  javaTooOld: (found: string) =>
    new StackFailure(
      'java',
      `version ${found} is too old (Kafka 4 and Apicurio 3.0 need 17 or newer)`,
      'install a JDK 17 (apt-get install openjdk-17-jre-headless) and put it first on PATH',
    ),

  mavenMissing: () =>
    new StackFailure(
      'maven',
      'mvn not found on PATH (it fetches Kafka and the registry from Maven Central)',
      'install Maven 3.8+ (apt-get install maven)',
    ),

  fetchFailed: (part: string, what: string, detail: string, logFile: string) =>
    new StackFailure(
      part,
      `could not fetch ${what} through Maven (${detail})`,
      `check that Maven reaches its repository (network, proxy in ~/.m2/settings.xml), see ${logFile}, then run again`,
    ),

  fetchUnverifiable: (part: string, what: string, problem: string, cacheDir: string) =>
    new StackFailure(
      part,
      `fetched ${what} but it is unusable (${problem})`,
      `delete ${cacheDir} and run again; if it repeats, the Maven artifact is broken: pick another version`,
    ),

  kafkaFormatFailed: (detail: string, dataDir: string) =>
    new StackFailure(
      'kafka',
      `formatting the KRaft storage failed (${detail})`,
      `delete ${dataDir} (local data only) and run again`,
    ),

  postgresUnreachable: (target: string, detail: string, startDetail: string) =>
    new StackFailure(
      'postgres',
      `cannot connect to ${target} (${detail}) and could not start it (${startDetail})`,
      'start it with pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or set LEDGER_PG_HOST/LEDGER_PG_PORT',
    ),

  postgresSetupFailed: (what: string, detail: string) =>
    new StackFailure(
      'postgres',
      `${what} failed (${detail})`,
      'check the server log (/var/log/postgresql) and that user postgres may create databases',
    ),

  redisUnreachable: (target: string, detail: string, startDetail: string) =>
    new StackFailure(
      'redis',
      `cannot connect to ${target} (${detail}) and could not start it (${startDetail})`,
      'start it with redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379, or set LEDGER_REDIS_URL',
    ),

  migrationsFailed: (schema: string, detail: string) =>
    new StackFailure(
      'migrations',
      `migrating schema ${schema} failed (${detail})`,
      'fix the migration in infra/migrations and run npm run migrate -- up',
    ),

  offsetsBeyondLog: (database: string, detail: string) =>
    new StackFailure(
      'postgres',
      `database ${database} consumed further than this Kafka's topics reach (${detail}): it belongs to another Kafka log, e.g. another checkout's stack`,
      'start the stack where that Kafka lives, or give this one its own: LEDGER_PG_DATABASE=ledger_2 LEDGER_TOPIC_PREFIX=ledger2 (Redis keys follow the prefix)',
    ),

  topicsFailed: (detail: string) =>
    new StackFailure(
      'topics',
      `creating the Kafka topics failed (${detail})`,
      'see .stack/logs/kafka.log; topics can be created again safely by running up again',
    ),

  schemasFailed: (detail: string, registryUrl: string) =>
    new StackFailure(
      'schemas',
      `registering the schemas in ${registryUrl} failed (${detail})`,
      'fix registerSchemas in schemas/src, or see .stack/logs/registry.log if the registry is at fault',
    ),

  exitedBeforeHealthy: (part: string, exit: string, logFile: string, lastLine: string) =>
    new StackFailure(
      part,
      `exited (${exit}) before it became healthy${lastLine === '' ? '' : `, last log line: ${lastLine}`}`,
      `see ${logFile}`,
    ),

  healthTimeout: (part: string, timeoutMs: number, check: string, logFile: string) =>
    new StackFailure(
      part,
      `not healthy after ${Math.round(timeoutMs / 1000)} s (${check})`,
      `see ${logFile}; a slow machine may need another try`,
    ),

  restartLimit: (part: string, restarts: number, windowMs: number, logFile: string) =>
    new StackFailure(
      part,
      `died ${restarts} times within ${Math.round(windowMs / 1000)} s, giving up`,
      `fix the cause shown in ${logFile}, then start the stack again`,
    ),

  foreignPortsOwner: (part: string, port: number, holder: PortHolder | undefined) =>
    new StackFailure(
      part,
      `port ${port} answers but not as this checkout's stack (${
        holder === undefined ? 'owner unknown' : `pid ${holder.pid} ${holder.command}`
      })`,
      'stop that stack first (npm run stack -- down in its checkout), or change the LEDGER_*_PORT variables',
    ),

  otherTopology: (pid: number, runningNodes: number, wantedNodes: number) =>
    new StackFailure(
      'stack',
      `the running stack (pid ${pid}) has ${runningNodes} Kafka ${runningNodes === 1 ? 'node' : 'nodes'}, ${wantedNodes} asked for`,
      `stop it first (npm run stack -- down), then start again with --brokers ${wantedNodes}`,
    ),

  downTimedOut: (pid: number, timeoutMs: number) =>
    new StackFailure(
      'stack',
      `the running stack (pid ${pid}) did not stop within ${Math.round(timeoutMs / 1000)} s`,
      `kill -INT ${pid}, or kill -KILL ${pid} then run npm run stack -- down again`,
    ),
} as const;
