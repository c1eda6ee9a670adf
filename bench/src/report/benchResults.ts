import type { AuditResult } from '../audit/ledgerAudit.ts';
import type { BenchProfile } from '../benchProfile.ts';
import type { LoadResult } from '../load/loadRun.ts';
import type { Phase, TimelinePoint } from '../metrics/timeline.ts';
import type { BatchRun } from '../scenarios/batchThroughput.ts';
import type { BurstResults } from '../scenarios/burst.ts';
import type { GrowthResults } from '../scenarios/growth.ts';
import type { MemoryResult } from '../scenarios/memory.ts';
import type { ReadResults } from '../scenarios/readScenarios.ts';
import type { SingleRun } from '../scenarios/singleTransfers.ts';
import type { VisibilityResult } from '../scenarios/visibility.ts';
import type { SeedResult } from '../seed/seedAccounts.ts';

/** Everything one run measured: the raw JSON is this object; report.md and plots derive from it. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly profile: BenchProfile;
  readonly runTag: string;
  readonly seed: number;
  readonly machine: MachineInfo;
  /** What the driver started itself (the stack, missing services). */
  readonly started: readonly string[];
  readonly seeds: readonly SeedResult[];
  readonly reads: ReadResults | undefined;
  /** Each batch and single run carries its CPU budget per transfer (`cpu`, machineCpu.ts). */
  readonly sustained: BatchRun | undefined;
  readonly visibility: VisibilityResult | undefined;
  readonly singles: { readonly ledger: SingleRun; readonly naive: SingleRun } | undefined;
  readonly burst: BurstResults | undefined;
  readonly growth: GrowthResults | undefined;
  readonly memory: MemoryResult | undefined;
  readonly audits: readonly AuditResult[];
  readonly loads: readonly LoadResult[];
  readonly timeline: readonly TimelinePoint[];
  readonly phases: readonly Phase[];
  /** Scenarios that failed, with their error (the rest of the run goes on). */
  readonly failures: readonly { readonly scenario: string; readonly error: string }[];
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverageAtStart: readonly number[];
}
