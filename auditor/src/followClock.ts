/**
 * When following, how far the reader is behind in time: the latest moment T such that every
 * message each partition held at T has been read. A leg read at r that still waits once T has
 * passed r + gapWait has given every partition that long to deliver the version before it, however
 * far behind the reader was: a stuck reader does not turn into false gaps.
 *
 * Each tick records the partitions' end offsets with the time they were taken; `update` moves T
 * to the newest record the reader's positions have passed. Records are kept in time order and at
 * most `recordsMax` of them (the oldest dropped: T then only moves later, never wrong).
 */
export interface FollowClock {
  record(atMs: number, ends: ReadonlyMap<number, bigint>): void;
  /** positions: per partition, the next offset to read. Returns T (−∞ until first caught up). */
  update(positions: ReadonlyMap<number, bigint>): number;
}

export function createFollowClock(recordsMax = 600): FollowClock {
  const records: { atMs: number; ends: ReadonlyMap<number, bigint> }[] = [];
  let caughtUpAtMs = Number.NEGATIVE_INFINITY;
  const passed = (ends: ReadonlyMap<number, bigint>, positions: ReadonlyMap<number, bigint>) =>
    [...ends].every(([partition, end]) => (positions.get(partition) ?? 0n) >= end);
  return {
    record(atMs, ends) {
      records.push({ atMs, ends: new Map(ends) });
      if (records.length > recordsMax) records.shift();
    },
    update(positions) {
      // Ends only grow, so once a record is not passed, no later one is.
      for (let first = records[0]; first !== undefined && passed(first.ends, positions);) {
        caughtUpAtMs = first.atMs;
        records.shift();
        first = records[0];
      }
      return caughtUpAtMs;
    },
  };
}
