import type { Logger, OutcomeNotice, ReadinessCheck } from '@ledger/runtime';
import type { Registry } from 'prom-client';
import type { AcceptedCommand } from './commands.ts';
import type { IdGenerator } from '@ledger/runtime';

/**
 * Everything createApp needs from the outside world, as small interfaces: the real ones talk to
 * Kafka, Redis and Postgres (src/kafka, src/redis, src/postgres); unit tests pass in-memory fakes.
 */
export interface CommandApiDeps {
  readonly publisher: CommandPublisher;
  readonly outcomes: OutcomeWaiter;
  readonly idempotency: IdempotencyStore;
  readonly rateLimiter: RateLimiter;
  readonly lagGauge: LagGauge;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly readiness: readonly ReadinessCheck[];
  readonly options: CommandApiOptions;
  /** False while draining on SIGTERM (`/readyz` answers 503 and new commands are refused). */
  readonly isAccepting?: () => boolean;
}

export interface CommandApiOptions {
  /** Bearer keys; empty means authentication is off (the local default, API.md). */
  readonly apiKeys: readonly string[];
  /** Load shedding: the processor's consumer lag (messages) above which commands get 503. */
  readonly consumerLagMax: number;
  /** Retry-After sent with 503 overloaded. */
  readonly overloadedRetryAfterSeconds: number;
  /** Express's `trust proxy`, so rate limits count the real client behind a load balancer. */
  readonly trustProxy: boolean | string | number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A command ready for Kafka: the value, its key and the headers API.md requires. */
export interface CommandToPublish {
  readonly command: AcceptedCommand;
  /** The account whose balance the command checks (transfer: fromAccountId). */
  readonly key: string;
  readonly traceparent: string;
  readonly requestId: string;
}

export interface CommandPublisher {
  /** Resolves once Kafka acknowledged every command with acks=all; rejects with LedgerError. */
  publish(commands: readonly CommandToPublish[]): Promise<void>;
}

export type IdempotencyScope = 'account' | 'transfer';

/** What the accept side remembers about a command under its idempotency key. */
export interface AcceptRecord {
  readonly commandId: string;
  readonly requestHash: string;
  /** transferId or accountId, returned to a replayed request. */
  readonly subjectId: string;
}

export interface IdempotencyClaim {
  readonly scope: IdempotencyScope;
  readonly key: string;
  readonly record: AcceptRecord;
}

/** A command's state as far as this side knows it. */
export type CommandState =
  { readonly status: 'accepted'; readonly commandId: string } | CommandOutcome;

/**
 * The processor's decision, as it pushes it over Redis (runtime's OutcomeNotice, the one
 * definition both sides share) and stores it in Postgres `command_outcomes`.
 */
export type CommandOutcome = OutcomeNotice;

/**
 * The accept-side idempotency record. Best effort (see docs in redisIdempotencyStore.ts): the
 * processor's unique constraint on the idempotency key is the real exactly-once guard.
 */
export interface IdempotencyStore {
  /**
   * Claims each key for its command, in order (a later claim in the list sees an earlier one).
   * Returns, per claim, the record that already held the key, or undefined if the claim won.
   */
  claim(claims: readonly IdempotencyClaim[]): Promise<readonly (AcceptRecord | undefined)[]>;
  /** Records that Kafka acknowledged these commands (GET /v1/commands answers "accepted"). */
  confirm(claims: readonly IdempotencyClaim[]): Promise<void>;
  /** Gives up claims whose publish failed, so the client's retry is not taken for a replay. */
  release(claims: readonly IdempotencyClaim[]): Promise<void>;
  /** Current state per command id; absent from the map = unknown here. */
  states(commandIds: readonly string[]): Promise<ReadonlyMap<string, CommandState>>;
}

export interface OutcomeWaiter {
  /**
   * Resolves with the outcomes known before `timeoutMs` (pushed by the processor, never
   * polled); commands missing from the map were not decided in time. Resolves at once with
   * `waited: false` when the push channel is down: waiting is a convenience, never a failure.
   */
  waitFor(commandIds: readonly string[], timeoutMs: number): Promise<OutcomeWait>;
}

export interface OutcomeWait {
  readonly outcomes: ReadonlyMap<string, CommandOutcome>;
  /** False when the wait could not be honoured (push channel down, too many waiters). */
  readonly waited: boolean;
}

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request for the client; fails open (allowed) when its store is down. */
  take(clientKey: string): Promise<RateDecision>;
}

export interface LagGauge {
  /** The processor group's lag on the commands topic, or undefined when not known (never shed). */
  currentLag(): number | undefined;
}
