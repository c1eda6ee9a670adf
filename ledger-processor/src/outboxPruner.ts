import type pg from 'pg';
import type { Counter } from 'prom-client';
import { assert, type Logger } from '@ledger/runtime';

/**
 * Deletes outbox rows that were published more than a retention ago. The relay only advances its
 * partition's published position; without this the table grows by one row per event forever (2M
 * rows after seeding 1M funded accounts). Published rows are kept for a while so an operator can
 * still see what was published; the facts themselves live in the ledger tables and in
 * `ledger.events`.
 *
 * A round walks the table in id order from the start, a window of `outboxPruneWindowRows` live
 * rows per statement, deleting the window's rows at or below their partition's published position
 * (outboxPosition.ts) and created before the cutoff, and stops at the first window with nothing
 * to delete (it has reached rows still within the retention) or after `outboxPruneStatementsMax`
 * statements. Ids grow in commit order and rows are published within seconds, so old published
 * rows sit at the front: a round with nothing to do reads one window. Rows skipped inside a window
 * (past the position, or created recently) are seen again by the next round, which starts from
 * the front again. A row is old by its created_at: it was published at or after that.
 *
 * Housekeeping only: a failed round is logged and retried at the next interval, never fatal.
 */
export interface OutboxPruner {
  /** One round now; resolves to the rows deleted. */
  pruneOnce(): Promise<number>;
  /** Rounds every `intervalMs` until stop(). */
  start(): void;
  /** Cancels the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/** Live rows one statement reads (and at most deletes), so a statement stays short. */
export const outboxPruneWindowRows = 5_000;
/** Statements per round: at most 100k rows deleted per interval. */
export const outboxPruneStatementsMax = 20;
export const outboxPruneIntervalMsDefault = 60_000;
/** One day: enough to look at what was published after an incident, little enough to stay small. */
export const outboxRetentionSecondsDefault = 86_400;
export const outboxRetentionSecondsMax = 90 * 86_400;

export function createOutboxPruner(deps: {
  pool: pg.Pool;
  logger: Logger;
  pruned: Counter;
  retentionSeconds: number;
  intervalMs: number;
}): OutboxPruner {
  assert(
    Number.isInteger(deps.retentionSeconds) &&
      deps.retentionSeconds >= 0 &&
      deps.retentionSeconds <= outboxRetentionSecondsMax,
    `outbox retention ${deps.retentionSeconds} s is outside [0, ${outboxRetentionSecondsMax}]`,
  );
  assert(deps.intervalMs >= 1, 'outbox prune interval must be positive');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function pruneOnce(): Promise<number> {
    let afterId = '0';
    let total = 0;
    for (let statement = 0; statement < outboxPruneStatementsMax; statement += 1) {
      const result = await deps.pool.query<{ last_id: string | null; pruned: number }>(
        `with scanned as (
           select id, command_partition, created_at from outbox where id > $1 order by id limit $2
         ), pruned as (
           delete from outbox o using scanned s, outbox_positions p
            where o.id = s.id and p.command_partition = s.command_partition
              and s.id <= p.published_id and s.created_at < now() - make_interval(secs => $3)
           returning o.id
         )
         select (select max(id) from scanned) as last_id, (select count(*)::int from pruned) as pruned`,
        [afterId, outboxPruneWindowRows, deps.retentionSeconds],
      );
      const row = result.rows[0];
      if (row === undefined || row.last_id === null) break; // past the end of the table
      total += row.pruned;
      if (row.pruned === 0) break;
      afterId = row.last_id;
    }
    if (total > 0) {
      deps.pruned.inc(total);
      deps.logger.info('pruned published outbox rows', { rows: total });
    }
    return total;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pruneOnce()
        .catch((error: unknown) => deps.logger.warn('outbox prune failed', { error }))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  return {
    pruneOnce,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
