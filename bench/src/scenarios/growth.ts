import type { AccountSet, Distribution } from '../load/workload.ts';
import type { BenchContext } from './benchContext.ts';
import { runBatchTransfers, type BatchRun } from './batchThroughput.ts';

/**
 * The growth figure (docs/architecture.md): cost per transfer as the account count grows (small vs
 * large set) and with a hot account (Zipf vs uniform). Each cell is the same batch run; cost per
 * transfer is read as the inverse of applied/s, so "flat" means the rates match.
 */
export interface GrowthResults {
  readonly cells: readonly BatchRun[];
}

export async function runGrowth(
  context: BenchContext,
  small: AccountSet,
  large: AccountSet,
): Promise<GrowthResults> {
  const cells: BatchRun[] = [];
  const plan: [AccountSet, Distribution][] = [
    [small, 'uniform'],
    [large, 'uniform'],
    [small, 'zipf'],
    [large, 'zipf'],
  ];
  for (const [set, distribution] of plan) {
    cells.push(
      await runBatchTransfers(context, {
        name: `growth: ${set.size} accounts, ${distribution}`,
        tagSuffix: `g${set.size}${distribution === 'zipf' ? 'z' : 'u'}`,
        set,
        distribution,
        seconds: context.profile.growthSeconds,
      }),
    );
  }
  return { cells };
}

/** applied/s of one cell, or undefined when it did not drain. */
export function cellRate(
  results: GrowthResults,
  accounts: number,
  distribution: Distribution,
): number | undefined {
  return results.cells.find(
    (cell) => cell.accounts === accounts && cell.distribution === distribution,
  )?.appliedPerSecond;
}
