/**
 * What one run does, as named limits. `--quick` is a smoke run (< 3 min on the 2-core machine,
 * stack already up); the full profile fits in 30 min including seeding 1M accounts once (seeded
 * accounts are reused by later runs, see seed/seedAccounts.ts).
 */
export interface BenchProfile {
  readonly name: 'quick' | 'full';
  /** Accounts of the main workload (reads, singles, burst, visibility) and the growth "small" set. */
  readonly accountsSmall: number;
  /** The growth "large" set: the target holds 10k → 10M; 1M is what seeds here within budget. */
  readonly accountsLarge: number;
  /** Each read run (bare, DB-only, cached), same client settings. */
  readonly readSeconds: number;
  /** Interleaved rounds of the three read runs (odd); each server's figure is its median round. */
  readonly readRounds: number;
  /** The sustained batch-endpoint run (the target: 60 s). */
  readonly batchSustainSeconds: number;
  /** Single transfers, ledger and naive, same client. */
  readonly singleSeconds: number;
  /** Each of the four growth cells (small/large × uniform/Zipf). */
  readonly growthSeconds: number;
  /** Each 1000-client burst (command API, query API, naive). */
  readonly burstSeconds: number;
  /** Accepted → visible probing at half of the measured max. */
  readonly visibilitySeconds: number;
  /** Cached balances loaded into query-api before reading its RSS. */
  readonly memoryCachedAccounts: number;
}

export const quickProfile: BenchProfile = {
  name: 'quick',
  accountsSmall: 2_000,
  accountsLarge: 20_000,
  readSeconds: 4,
  readRounds: 3,
  batchSustainSeconds: 10,
  singleSeconds: 6,
  growthSeconds: 4,
  burstSeconds: 5,
  visibilitySeconds: 8,
  memoryCachedAccounts: 5_000,
};

export const fullProfile: BenchProfile = {
  name: 'full',
  accountsSmall: 10_000,
  accountsLarge: 1_000_000,
  readSeconds: 10,
  readRounds: 3,
  batchSustainSeconds: 60,
  singleSeconds: 30,
  growthSeconds: 20,
  burstSeconds: 20,
  visibilitySeconds: 30,
  memoryCachedAccounts: 1_000_000,
};

/** Client shape shared by every HTTP scenario so ratios compare like with like. */
export const clientLimits = {
  /** The reference measurement (docs/architecture.md): wrk, 100 connections. */
  connections: 100,
  /** The burst figure. */
  burstConnections: 1_000,
  /** A request slower than this counts as a timeout (autocannon's per-request timer). */
  requestTimeoutSeconds: 10,
  /** Items per batch request: the contract's maximum. */
  batchItems: 1_000,
  /** Batch requests in flight: enough to keep the producer's coalescing busy, few enough not to queue for seconds. */
  batchConnections: 8,
  /**
   * Accepted-but-unapplied transfers above which the batch client waits: two seconds of the rate
   * the processor shows, at most two seconds of the targeted 10k/s. Enough to keep every
   * partition's batches full, small enough that the rate during the load is the rate the ledger
   * sustains and the drain after it is short.
   */
  backlogMax: 20_000,
  /** The floor of that bound when the ledger is slow: four full batch requests. */
  backlogMin: 4_000,
} as const;

/** How long the driver waits for the ledger to decide what was accepted before calling it lost. */
export const drainTimeoutMs = 180_000;
