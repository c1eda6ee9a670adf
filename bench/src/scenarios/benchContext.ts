import type pg from 'pg';
import type { BenchProfile } from '../benchProfile.ts';
import type { LoadResult } from '../load/loadRun.ts';
import type { Timeline } from '../metrics/timeline.ts';
import type { StackSession } from '../stack/stackSession.ts';

/** What every scenario gets: where things run, the ledger's pool, the timeline, the run's ids. */
export interface BenchContext {
  readonly profile: BenchProfile;
  readonly repoRoot: string;
  readonly resultsDir: string;
  readonly logsDir: string;
  /** Short, unique per run: prefixes this run's transfer ids so the audit finds exactly them. */
  readonly runTag: string;
  readonly seed: number;
  readonly stack: StackSession;
  readonly postgresUrl: string;
  /** The ledger's schema (read-only use: counts and the audit). */
  readonly ledgerPool: pg.Pool;
  readonly ledgerSchema: string;
  readonly timeline: Timeline;
  readonly accepted: AcceptedLog;
  /** Every load run of the whole bench, in order (raw JSON and the latency plot use them). */
  readonly loads: LoadResult[];
}

/** Command ids the command API accepted (202 items), by scenario, for the "nothing lost" audit. */
export class AcceptedLog {
  readonly byScenario = new Map<string, string[]>();

  add(scenario: string, commandIds: readonly string[]): void {
    const list = this.byScenario.get(scenario) ?? [];
    for (const id of commandIds) list.push(id);
    this.byScenario.set(scenario, list);
  }

  count(scenario: string): number {
    return this.byScenario.get(scenario)?.length ?? 0;
  }

  all(): string[] {
    return [...this.byScenario.values()].flat();
  }
}

/** Command ids of the accepted items of a 202 batch response body. */
export function acceptedBatchItems(body: string): string[] {
  const parsed = JSON.parse(body) as { items?: { status?: string; commandId?: string }[] };
  const ids: string[] = [];
  for (const item of parsed.items ?? []) {
    if (item.status === 'accepted' && typeof item.commandId === 'string') ids.push(item.commandId);
  }
  return ids;
}

/** The items of a 202 batch response body that were not accepted, by whether a resend can help. */
export interface UnacceptedBatchItems {
  /** Indexes of items answered with a 429/503 problem (docs/contract.md: retriable, same body). */
  readonly retriable: number[];
  /** Items refused for good (validation, conflict): a bench bug when the bench built them. */
  readonly refused: unknown[];
}

/**
 * A 202 batch answer can hold items that were not accepted: `invalid` with a 503 problem when
 * the original request of an item's key was still being accepted. A client that reads only the
 * HTTP status loses those items silently (the bench's seeder did).
 */
export function unacceptedBatchItems(body: string): UnacceptedBatchItems {
  const parsed = JSON.parse(body) as {
    items?: { index?: number; status?: string; problem?: { status?: number } }[];
  };
  const result: UnacceptedBatchItems = { retriable: [], refused: [] };
  for (const item of parsed.items ?? []) {
    if (item.status === 'accepted') continue;
    const problemStatus = item.problem?.status;
    if (typeof item.index === 'number' && (problemStatus === 429 || problemStatus === 503))
      result.retriable.push(item.index);
    else result.refused.push(item);
  }
  return result;
}

/** Command id of a 202 single-command response body, if it was accepted. */
export function acceptedSingle(body: string): string | undefined {
  const parsed = JSON.parse(body) as { status?: string; commandId?: string };
  return parsed.status === 'accepted' && typeof parsed.commandId === 'string'
    ? parsed.commandId
    : undefined;
}
