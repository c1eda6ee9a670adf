import type { OutboxRelay } from './outboxRelay.ts';

/**
 * The outbox drain of each `ledger.commands` partition this member owns, one per group
 * generation. Started as soon as the group assigns the partitions, so the rows a crash or a
 * former owner left past the published position go out at once, not when the next command happens
 * to arrive on that partition (a quiet partition kept stale read models for minutes). A batch
 * awaits its partition's drain before its first slice, so new events never overtake them.
 */
export interface PartitionDrains {
  /** A new generation (the group's join): forgets the former drains, starts one per partition. */
  assigned(partitions: readonly number[]): void;
  /** The partition's drain of this generation, started now if the assignment did not start it. */
  of(partition: number): Promise<void>;
}

export function createPartitionDrains(deps: {
  readonly relay: Pick<OutboxRelay, 'drainUnsent'>;
  /** A failed drain (an OutboxRelayFailure) is fatal even when no batch ever awaits it. */
  readonly onFailure: (error: unknown) => void;
}): PartitionDrains {
  let drains = new Map<number, Promise<void>>();
  const start = (partition: number): Promise<void> => {
    const drain = deps.relay.drainUnsent(partition);
    drain.catch(deps.onFailure);
    drains.set(partition, drain);
    return drain;
  };
  return {
    assigned(partitions) {
      drains = new Map();
      for (const partition of partitions) void start(partition);
    },
    of(partition) {
      return drains.get(partition) ?? start(partition);
    },
  };
}
