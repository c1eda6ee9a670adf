import { createHash } from 'node:crypto';

/** One partition's share of the digest: the offsets read and the SHA-256 of their bytes. */
export interface PartitionDigest {
  readonly partition: number;
  /** First and last offset read (decimal strings); null when none was read. */
  readonly firstOffset: string | null;
  readonly lastOffset: string | null;
  readonly messages: number;
  /** Hex SHA-256 over, per message in offset order, its value's length (uint32 BE) and bytes. */
  readonly sha256: string;
}

/**
 * SHA-256 over the events checked, independent of how the reader interleaved partitions.
 *
 * Kafka orders a partition, not a topic: one run may read partition 3 before 1, the next the other
 * way round. So each partition has its own hash over its messages in offset order, and the digest
 * is the SHA-256 of one line per partition, ascending: `<partition> <first> <last> <count> <hex>\n`.
 * Two runs over the same log give the same digest; an edited, dropped, added or reordered message
 * changes it. The bytes hashed are each message's value exactly as Kafka holds it (magic byte,
 * writer schema id, Avro body): the evidence itself rather than this program's reading of it, so
 * kcat and sha256sum recompute a partition's hash without our code:
 * `kcat -C -q -b … -t <topic> -p <p> -o <first> -c <count> -f '%R%s' | sha256sum`
 * (`%R` is the value's length as a big-endian int32). Identical republished duplicates are in the
 * log, so they are hashed too.
 */
export interface LogDigest {
  add(partition: number, offset: string, value: Buffer): void;
  partitions(): PartitionDigest[];
  digest(): string;
}

export function createLogDigest(partitionCount: number): LogDigest {
  const parts = Array.from({ length: partitionCount }, () => ({
    hash: createHash('sha256'),
    first: null as string | null,
    last: null as string | null,
    messages: 0,
  }));
  const length = Buffer.alloc(4);
  const partitions = (): PartitionDigest[] =>
    parts.map((part, partition) => ({
      partition,
      firstOffset: part.first,
      lastOffset: part.last,
      messages: part.messages,
      // copy(): the digest can be asked for mid-run (progress) and the hash go on.
      sha256: part.hash.copy().digest('hex'),
    }));
  return {
    add(partition, offset, value) {
      const part = parts[partition];
      if (part === undefined) throw new RangeError(`partition ${partition} of ${partitionCount}`);
      length.writeUInt32BE(value.length, 0);
      part.hash.update(length).update(value);
      part.first ??= offset;
      part.last = offset;
      part.messages += 1;
    },
    partitions,
    digest: () => digestOfPartitions(partitions()),
  };
}

/** The digest of partition digests (see LogDigest), also used to check a summary's own lines. */
export function digestOfPartitions(partitions: readonly PartitionDigest[]): string {
  const lines = [...partitions]
    .sort((a, b) => a.partition - b.partition)
    .map(
      (p) =>
        `${p.partition} ${p.firstOffset ?? '-'} ${p.lastOffset ?? '-'} ${p.messages} ${p.sha256}\n`,
    )
    .join('');
  return createHash('sha256').update(lines).digest('hex');
}
