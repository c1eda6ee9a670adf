// Named first: downTimeoutMs below is derived from them.
const stopTimeoutMs = 30_000;
const afterKillWaitMs = 5_000;
const commandTimeoutMs = 120_000;
/**
 * Parts one `up` supervises and stops one after another: up to three Kafka nodes
 * (`--brokers 3`), the registry, four services.
 */
const partsMax = 8;

/**
 * Every wait, retry and size the local stack uses, in one place. Values are for a 2-core
 * machine: generous enough for a cold JVM start, short enough that a stuck part is reported
 * instead of hanging the terminal.
 */
export const stackLimits = {
  /** Maven fetch of a distribution (Kafka ~55 MB, Apicurio ~110 MB) on a slow link. */
  fetchTimeoutMs: 15 * 60_000,
  /** How often a "still fetching… N MB" line is printed while Maven downloads. */
  fetchProgressIntervalMs: 3_000,
  /** `kafka.tools.StorageTool format` starts a JVM once: a few seconds. */
  kafkaFormatTimeoutMs: 60_000,
  /** A short command (java -version, pg_ctlcluster, tar) that should not take long. */
  commandTimeoutMs,
  /** From spawn to healthy, per part. Kafka takes 4-6 s, Apicurio 5-9 s, services a few s. */
  kafkaHealthTimeoutMs: 90_000,
  registryHealthTimeoutMs: 120_000,
  serviceHealthTimeoutMs: 60_000,
  /** Poll interval while waiting for a condition (port, HTTP 200, process exit). */
  pollIntervalMs: 250,
  /** One health probe (TCP connect or HTTP GET) gives up after this. */
  probeTimeoutMs: 2_000,
  /** SIGTERM, then SIGKILL after this: Kafka's controlled shutdown takes a few seconds. */
  stopTimeoutMs,
  /** After SIGKILL, the wait for the kernel to reap the process. */
  afterKillWaitMs,
  partsMax,
  /**
   * `down` waits this long for the supervising `up` to stop its parts and exit: each part in turn
   * at its worst (SIGTERM ignored, then killed), then a Postgres cluster it had started.
   */
  downTimeoutMs: partsMax * (stopTimeoutMs + afterKillWaitMs) + commandTimeoutMs,
  /** Postgres/Redis: wait for them after asking the system to start them. */
  localServiceStartTimeoutMs: 30_000,
  /** A log file bigger than this is truncated when the stack starts again. */
  logFileBytesMax: 64 * 1024 * 1024,
} as const;

/**
 * Like a compose `restart: on-failure` policy with a circuit breaker: a part that dies after it
 * was healthy is restarted after 1 s, 2 s, 4 s … (capped), but at most `restartsPerWindowMax`
 * times within `restartWindowMs`; past that the stack stops and says why, instead of looping.
 */
export const restartPolicy = {
  initialDelayMs: 1_000,
  delayMaxMs: 30_000,
  multiplier: 2,
  restartsPerWindowMax: 5,
  restartWindowMs: 5 * 60_000,
  /** A part healthy for this long has its backoff reset to the initial delay. */
  stableAfterMs: 60_000,
} as const;
export type RestartPolicy = { readonly [K in keyof typeof restartPolicy]: number };
