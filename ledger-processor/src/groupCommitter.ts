import { assert } from '@ledger/runtime';
import type { DecodedSlice, PartitionSlice, SliceResult } from './groupTransaction.ts';

export interface GroupCommitter {
  /**
   * Starts decoding the slice at once, then commits it together with the other partitions'
   * slices waiting at that moment. Resolves with the slice's result after the commit.
   */
  submit(slice: PartitionSlice): Promise<SliceResult>;
}

export interface GroupCommitterDeps {
  readonly decode: (slice: PartitionSlice) => Promise<DecodedSlice>;
  /** Commits the slices in one transaction; results in the slices' order. */
  readonly commit: (slices: readonly DecodedSlice[]) => Promise<readonly SliceResult[]>;
  /** Commands one transaction may carry (a single larger slice still goes alone). */
  readonly commandsMax: number;
  /** Slices that may wait at once: one per partition consumed concurrently. */
  readonly waitingMax: number;
}

interface Waiting {
  readonly partition: number;
  readonly size: number;
  readonly decoded: Promise<DecodedSlice>;
  readonly resolve: (result: SliceResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for one processor instance: one transaction at a time, carrying every slice that
 * arrived while the previous one ran. Under load, transactions grow instead of multiplying, and
 * the partitions of one instance never wait on each other's account row locks (they would:
 * uniform transfers make any two large batches touch common accounts). Decoding overlaps the
 * running transaction. Per-partition order holds because a partition's consumer submits its
 * next slice only after the previous one resolved.
 */
export function createGroupCommitter(deps: GroupCommitterDeps): GroupCommitter {
  const waiting: Waiting[] = [];
  let running = false;

  const pump = () => {
    if (running || waiting.length === 0) return;
    running = true;
    // One event-loop turn lets partitions fetched together join the same transaction.
    setImmediate(() => {
      void runOnce().finally(() => {
        running = false;
        pump();
      });
    });
  };

  const takeGroup = (): Waiting[] => {
    const group: Waiting[] = [];
    let size = 0;
    while (waiting.length > 0) {
      const next = waiting[0] as Waiting;
      if (group.length > 0 && size + next.size > deps.commandsMax) break;
      waiting.shift();
      group.push(next);
      size += next.size;
    }
    return group;
  };

  const runOnce = async () => {
    const group = takeGroup();
    const decoded = await Promise.allSettled(group.map((entry) => entry.decoded));
    const ready: { entry: Waiting; slice: DecodedSlice }[] = [];
    decoded.forEach((outcome, index) => {
      const entry = group[index] as Waiting;
      if (outcome.status === 'fulfilled') ready.push({ entry, slice: outcome.value });
      else entry.reject(outcome.reason);
    });
    if (ready.length === 0) return;
    try {
      const results = await deps.commit(ready.map(({ slice }) => slice));
      assert(results.length === ready.length, 'group commit returned a result per slice');
      ready.forEach(({ entry }, index) => entry.resolve(results[index] as SliceResult));
    } catch (error) {
      for (const { entry } of ready) entry.reject(error);
    }
  };

  return {
    submit(slice) {
      assert(
        !waiting.some((entry) => entry.partition === slice.partition),
        `partition ${slice.partition} submitted a slice before its previous one resolved`,
      );
      assert(waiting.length < deps.waitingMax, 'more slices waiting than partitions consumed');
      const decoded = deps.decode(slice);
      // Rejections are delivered through the entry; keep the bare promise from being "unhandled".
      decoded.catch(() => undefined);
      return new Promise<SliceResult>((resolve, reject) => {
        waiting.push({
          partition: slice.partition,
          size: slice.messages.length,
          decoded,
          resolve,
          reject,
        });
        pump();
      });
    },
  };
}
