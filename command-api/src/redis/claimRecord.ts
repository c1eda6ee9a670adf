import type { Redis } from 'ioredis';
import type { AcceptRecord } from '../appDeps.ts';

// One idempotency key's record in Redis and the writes on it (redisIdempotencyStore.ts decides
// when each is made). Every write but the claim is a compare-and-set against the exact text the
// caller last wrote or read, so a stale attempt (its claim taken over or replaced) changes nothing.

/**
 * Deletes a claim only if it still holds this attempt's pending record. Sent with EVAL, not
 * through defineCommand + `pipeline.call(name)`: `call` sends the name as a raw Redis command,
 * which Redis refused ("unknown command") inside a pipeline whose exec() does not throw, so no
 * claim was ever released and every retry after a failed publish became a "replay" of a command
 * Kafka never had.
 */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Confirms a claim only if it still holds this attempt's pending record: the record loses its
 * owner (a confirmed claim is never taken over) and gets the full TTL.
 */
const confirmScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/**
 * Takes over a pending claim whose owner is dead, compare-and-set against the record the failed
 * `SET NX GET` returned (ARGV[1]): only if the key still holds it and its owner's lease (KEYS[2])
 * is gone, or if the key was freed meanwhile. Nil = taken; else the record now holding the key.
 */
const takeOverScript = `
local current = redis.call('GET', KEYS[1])
if current == false or (current == ARGV[1] and redis.call('EXISTS', KEYS[2]) == 0) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return false
end
return current
`;

/** Replaces a confirmed record by its original's, keeping the TTL, only if it still holds it. */
const replaceScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0
`;

/** A record as stored: pending claims name their owner, confirmed ones do not. */
export interface StoredRecord {
  readonly record: AcceptRecord;
  readonly owner: string | undefined;
}

export function encodeRecord(record: AcceptRecord, owner?: string): string {
  const stored = { c: record.commandId, h: record.requestHash, s: record.subjectId };
  return JSON.stringify(owner === undefined ? stored : { ...stored, o: owner });
}

export function decodeRecord(text: string): StoredRecord | undefined {
  try {
    const { c, h, s, o } = JSON.parse(text) as {
      c?: unknown;
      h?: unknown;
      s?: unknown;
      o?: unknown;
    };
    if (typeof c === 'string' && typeof h === 'string' && typeof s === 'string') {
      return {
        record: { commandId: c, requestHash: h, subjectId: s },
        owner: typeof o === 'string' ? o : undefined,
      };
    }
  } catch {
    // fall through: an unreadable record is no record (the processor still dedupes)
  }
  return undefined;
}

/**
 * `SET NX GET PX`: claims a free key for `pendingMs` and returns the previous holder's text (null
 * when the claim won) in one round trip (Redis ≥ 7.0).
 */
export function claimIfFree(
  redis: Redis,
  key: string,
  pending: string,
  pendingMs: string,
): Promise<unknown> {
  return redis.call('SET', key, pending, 'NX', 'GET', 'PX', pendingMs);
}

/** Deletes the key if it still holds `expected`. */
export function deleteIfHeld(redis: Redis, key: string, expected: string): Promise<unknown> {
  return redis.eval(releaseScript, 1, key, expected);
}

/** Sets the key to `confirmed` with `ttlMs` if it still holds this attempt's `pending` record. */
export function confirmIfHeld(
  redis: Redis,
  key: string,
  pending: string,
  confirmed: string,
  ttlMs: string,
): Promise<unknown> {
  return redis.eval(confirmScript, 1, key, pending, confirmed, ttlMs);
}

/** Sets the key to `next`, keeping its TTL, if it still holds `expected`. */
export function replaceIfHeld(
  redis: Redis,
  key: string,
  expected: string,
  next: string,
): Promise<unknown> {
  return redis.eval(replaceScript, 1, key, expected, next);
}

/**
 * Sets the key to this attempt's `pending` record if it still holds `seen` and the lease at
 * `ownerKey` is gone, or if it is free. Resolves null when taken, else the text holding the key.
 */
export function takeOverIfOwnerGone(
  redis: Redis,
  key: string,
  ownerKey: string,
  seen: string,
  pending: string,
  pendingMs: string,
): Promise<unknown> {
  return redis.eval(takeOverScript, 2, key, ownerKey, seen, pending, pendingMs);
}
