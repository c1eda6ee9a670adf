import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '@ledger/runtime';

/**
 * Request ids for responses whose client sent none: a random per-process prefix and a counter,
 * e.g. `q-3f9a1c02d4e7-1a2b`. Unique across instances (48 random bits per process) and in order
 * within one, which is all a correlation id needs. Not UUIDv7: generating one takes fresh crypto
 * randomness per id, measured at several microseconds under load, a large share of what a cached
 * balance read costs in total (docs/architecture.md "Performance targets").
 */
export function createRequestIdGenerator(): IdGenerator {
  const prefix = `q-${randomBytes(6).toString('hex')}-`;
  let counter = 0;
  return () => {
    counter += 1;
    return prefix + counter.toString(36);
  };
}
