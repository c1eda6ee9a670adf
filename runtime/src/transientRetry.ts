/** Retries of one unit of work after a transient failure, before the caller gives up. */
export const transientRetryMax = 5;
export const transientRetryBackoffMs = 50;

/**
 * Runs `work`, retrying it with jittered exponential backoff while `isTransient` says the failure
 * may pass (a deadlock, a unique violation raced by another writer), at most `retryMax` times.
 * Anything else, or the last failure, is thrown to the caller.
 */
export async function withTransientRetries<T>(
  work: () => Promise<T>,
  options: {
    readonly isTransient: (error: unknown) => boolean;
    readonly onRetry?: (error: unknown, attempt: number) => void;
    readonly retryMax?: number;
    readonly backoffMs?: number;
  },
): Promise<T> {
  const retryMax = options.retryMax ?? transientRetryMax;
  const backoffMs = options.backoffMs ?? transientRetryBackoffMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!options.isTransient(error) || attempt >= retryMax) throw error;
      options.onRetry?.(error, attempt);
      const delay = backoffMs * 2 ** attempt * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Postgres errors after which the same transaction, run again, can succeed:
 * deadlock_detected and serialization_failure are transient by definition; unique_violation is
 * another writer committing the same new key first (another partition's processor with the same
 * transferId, or a zombie of a former owner) — the retry's snapshot sees its row.
 */
export function isTransientPostgresError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === '23505';
}
