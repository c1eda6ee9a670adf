/**
 * Crashes on an impossible state: the process restarts and resumes from the offset stored in
 * Postgres with the rows it covers, so nothing half-decided survives.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

/** What `assert` throws; the consumer loops treat it as fatal rather than retrying in-process. */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}
