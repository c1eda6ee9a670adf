import {
  transactionPhases,
  type TimelinePoint,
  type TransactionPhase,
} from '../metrics/timeline.ts';

/**
 * The processor's transactions during a stretch of the run, from its histogram sums: how many,
 * how many commands each carried, how long each took. Small batches or slow commits say where
 * end-to-end throughput goes (Postgres or the consumer), which profiles alone do not.
 */
export interface TransactionStats {
  readonly transactions: number;
  readonly commandsPerTransaction: number;
  readonly msPerTransaction: number;
  /** Share of the stretch's wall time a transaction was open (one at a time per processor instance). */
  readonly transactionTimeShare: number;
  /** Milliseconds per 1000 commands in each step of the transaction (absent before the metric). */
  readonly msPerThousandByPhase: Readonly<Record<TransactionPhase, number>> | undefined;
}

export function transactionStats(
  points: readonly TimelinePoint[],
  fromMs: number,
  toMs: number,
): TransactionStats | undefined {
  const inside = points.filter(
    (point) => point.tMs >= fromMs && point.tMs <= toMs && point.transactions !== undefined,
  );
  const first = inside[0];
  const last = inside.at(-1);
  if (first === undefined || last === undefined || first === last) return undefined;
  const transactions = (last.transactions ?? 0) - (first.transactions ?? 0);
  if (transactions <= 0) return undefined;
  const commands = (last.transactionCommands ?? 0) - (first.transactionCommands ?? 0);
  const seconds = (last.transactionSeconds ?? 0) - (first.transactionSeconds ?? 0);
  return {
    transactions,
    commandsPerTransaction: commands / transactions,
    msPerTransaction: (seconds * 1_000) / transactions,
    transactionTimeShare: seconds / ((last.tMs - first.tMs) / 1_000),
    msPerThousandByPhase: phaseShares(first, last, commands),
  };
}

function phaseShares(
  first: TimelinePoint,
  last: TimelinePoint,
  commands: number,
): Record<TransactionPhase, number> | undefined {
  const from = first.transactionPhaseSeconds;
  const to = last.transactionPhaseSeconds;
  if (from === undefined || to === undefined || commands <= 0) return undefined;
  const entries = transactionPhases.map((phase) => [
    phase,
    ((to[phase] - from[phase]) * 1_000_000) / commands,
  ]);
  return Object.fromEntries(entries) as Record<TransactionPhase, number>;
}
