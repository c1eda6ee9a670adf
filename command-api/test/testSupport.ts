import type { IdGenerator } from '@ledger/runtime';

/** Predictable ids for assertions: `${prefix}-1`, `${prefix}-2`, … */
export function sequentialIds(prefix: string): IdGenerator {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
