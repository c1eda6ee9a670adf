import type pg from 'pg';
import { oldestUnpublishedAgesSql } from './outboxPosition.ts';
import type { OutboxRelay } from './outboxRelay.ts';

/** How often the owned partitions are checked for rows nobody is publishing. */
export const outboxSweepIntervalMs = 2_000;
/**
 * A row past the position at least this old while the relay has nothing queued was left behind:
 * a batch whose commit reply was lost (the retry found it applied, so its rows were never
 * queued), or a former owner's rows committed after this member's drain.
 */
export const outboxOrphanAgeMs = 1_000;

/**
 * The outbox drain of each `ledger.commands` partition this member owns, one per group
 * generation. Started as soon as the group assigns the partitions, so the rows a crash or a
 * former owner left past the published position go out at once, not when the next command happens
 * to arrive on that partition (a quiet partition kept stale read models for minutes). A batch
 * awaits its partition's drain before its first slice, so new events never overtake them. A sweep
 * on a timer measures the oldest unpublished row of the owned partitions and drains any that
 * nothing is publishing, so nothing committed waits for traffic.
 */
export interface PartitionDrains {
  /** A new generation (the group's join): forgets the former drains, starts one per partition. */
  assigned(partitions: readonly number[]): void;
  /** The partition's drain of this generation, started now if the assignment did not start it. */
  of(partition: number): Promise<void>;
  startSweeps(): void;
  stopSweeps(): Promise<void>;
}

export function createPartitionDrains(deps: {
  readonly relay: Pick<OutboxRelay, 'drainUnsent' | 'queued'>;
  readonly pool: Pick<pg.Pool, 'query'>;
  /** Seconds since the oldest row past the position was written, over the owned partitions. */
  readonly oldestUnpublishedAge: { set(seconds: number): void };
  /** A failed drain (an OutboxRelayFailure) is fatal even when no batch ever awaits it. */
  readonly onFailure: (error: unknown) => void;
  readonly onSweepError: (error: unknown) => void;
  readonly sweepIntervalMs?: number;
}): PartitionDrains {
  let drains = new Map<number, Promise<void>>();
  let owned: readonly number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const start = (partition: number): Promise<void> => {
    const drain = deps.relay.drainUnsent(partition);
    drain.catch(deps.onFailure);
    drains.set(partition, drain);
    return drain;
  };

  async function sweep(): Promise<void> {
    if (owned.length === 0) {
      deps.oldestUnpublishedAge.set(0);
      return;
    }
    const { rows } = await deps.pool.query<{ partition: number; age_seconds: number }>(
      oldestUnpublishedAgesSql,
      [owned],
    );
    deps.oldestUnpublishedAge.set(Math.max(0, ...rows.map((row) => row.age_seconds)));
    if (deps.relay.queued() > 0) return; // what is queued may be these rows: look again later
    for (const row of rows) {
      if (row.age_seconds * 1_000 >= outboxOrphanAgeMs && owned.includes(row.partition)) {
        void start(row.partition);
      }
    }
  }

  return {
    assigned(partitions) {
      drains = new Map();
      owned = [...partitions];
      for (const partition of partitions) void start(partition);
    },
    of(partition) {
      return drains.get(partition) ?? start(partition);
    },
    startSweeps() {
      timer = setInterval(() => {
        sweeping ??= sweep()
          .catch(deps.onSweepError)
          .finally(() => {
            sweeping = undefined;
          });
      }, deps.sweepIntervalMs ?? outboxSweepIntervalMs);
    },
    async stopSweeps() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
