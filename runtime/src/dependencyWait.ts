import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerError } from './errors.ts';
import { isKafkaUnavailable } from './kafkaClient.ts';
import type { Logger } from './logger.ts';
import { isPostgresUnavailable } from './postgresPool.ts';
import { isTransientPostgresError, withTransientRetries } from './transientRetry.ts';

/**
 * How long a service waits at start-up for one dependency (Postgres, Kafka, the registry) before
 * giving up and exiting; within the supervisor's health timeout for a service, so a dependency
 * that stays down is reported by the supervisor rather than waited on forever.
 */
export const dependencyWaitMsMax = 45_000;
/**
 * How long a running consumer's batch waits for Postgres to come back (a restart, a failover)
 * before it fails and kafkajs restarts the consumer; the batch heartbeats meanwhile.
 */
export const postgresOutageWaitMs = 60_000;
/** The wait between attempts grows to this. */
export const dependencyRetryDelayMsMax = 2_000;
const firstRetryDelayMs = 100;

/**
 * Runs `attempt` until it succeeds, while `isUnavailable` says the failure is the dependency being
 * down (restarting, not yet started); anything else, or a dependency still down after `waitMs`,
 * is thrown. Logs once when it starts waiting and once when the dependency answers, so a restart
 * of Postgres or Kafka reads as two lines, not as a crash loop.
 */
export async function waitForDependency<T>(
  name: string,
  attempt: () => Promise<T>,
  options: {
    readonly logger: Logger;
    readonly isUnavailable?: (error: unknown) => boolean;
    readonly waitMs?: number;
    readonly signal?: AbortSignal;
  },
): Promise<T> {
  const waitMs = options.waitMs ?? dependencyWaitMsMax;
  const startedAt = Date.now();
  let delayMs = firstRetryDelayMs;
  let waiting = false;
  for (;;) {
    try {
      const result = await attempt();
      if (waiting) {
        options.logger.info(`${name} is available again`, { waitedMs: Date.now() - startedAt });
      }
      return result;
    } catch (error) {
      const unavailable = options.isUnavailable?.(error) ?? true;
      if (!unavailable || Date.now() - startedAt + delayMs > waitMs) throw error;
      if (!waiting) {
        options.logger.warn(`${name} is unavailable: waiting for it`, { error, waitMs });
        waiting = true;
      }
      await sleep(delayMs * (0.5 + Math.random()), undefined, { signal: options.signal });
      delayMs = Math.min(delayMs * 2, dependencyRetryDelayMsMax);
    }
  }
}

/**
 * A consumer's unit of Postgres work (the processor's group transaction, the projector's batch):
 * retried at once after a transient error (deadlock, a raced unique key), and waited out for up to
 * postgresOutageWaitMs while Postgres is away. Every caller re-reads its stored offsets inside the
 * retried transaction, so a commit that landed before its connection dropped is recognised.
 */
export function withPostgresRetries<T>(
  work: () => Promise<T>,
  options: { readonly logger: Logger; readonly onTransientRetry: () => void },
): Promise<T> {
  return waitForDependency(
    'postgres',
    () =>
      withTransientRetries(work, {
        isTransient: isTransientPostgresError,
        onRetry: options.onTransientRetry,
      }),
    { logger: options.logger, isUnavailable: isPostgresUnavailable, waitMs: postgresOutageWaitMs },
  );
}

/** Retry-After of a request refused because Postgres or Kafka is away (a restart takes seconds). */
export const dependencyRetryAfterSeconds = 2;

/**
 * A request that failed because Postgres or Kafka is unreachable is `503 unavailable` with
 * Retry-After — the client's retry will succeed once the dependency is back — not a 500 bug.
 */
export function asDependencyUnavailable(error: unknown): LedgerError | undefined {
  const which = isPostgresUnavailable(error)
    ? 'the ledger database'
    : isKafkaUnavailable(error)
      ? 'the event log'
      : undefined;
  if (which === undefined) return undefined;
  return new LedgerError('unavailable', `${which} is unavailable: retry shortly`, {
    retryAfterSeconds: dependencyRetryAfterSeconds,
    cause: error,
  });
}
