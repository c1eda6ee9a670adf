import type { ApiKeys, Logger, OutcomeNotice, RateLimiter, ReadinessCheck } from '@ledger/runtime';
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
  /** Decided transfers by id: what POST /v1/transfers/{id}/reverse reverses. */
  readonly transfers: TransferLookup;
  readonly rateLimiter: RateLimiter;
  /** Who may call /v1 and the ops routes (runtime's apiKeys.ts); disabled means auth off. */
  readonly apiKeys: ApiKeys;
  readonly lagGauge: LagGauge;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly readiness: readonly ReadinessCheck[];
  /** Reported by ledger_dependency_up only (opsRoutes.ts): Redis, the registry. */
  readonly observedDependencies?: readonly ReadinessCheck[];
  readonly options: CommandApiOptions;
  /** False while draining on SIGTERM (`/readyz` answers 503 and new commands are refused). */
  readonly isAccepting?: () => boolean;
}

export interface CommandApiOptions {
  /** Load shedding: the processor's consumer lag (messages) above which commands get 503. */
  readonly consumerLagMax: number;
  /** Retry-After sent with 503 overloaded. */
  readonly overloadedRetryAfterSeconds: number;
  /** Express's `trust proxy`, so rate limits count the real client behind a load balancer. */
  readonly trustProxy: boolean | string | number;
}

/** A decided transfer as a reversal needs it: its path, amount and whether it was posted. */
export interface DecidedTransfer {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly status: 'posted' | 'pending' | 'rejected';
}

export interface TransferLookup {
  /** undefined when the ledger has decided no transfer with that id (yet). */
  find(transferId: string): Promise<DecidedTransfer | undefined>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A command ready for Kafka: the value, its key and the headers the contract requires (docs/contract.md). */
export interface CommandToPublish {
  readonly command: AcceptedCommand;
  /** The account whose balance the command checks (transfer: fromAccountId). */
  readonly key: string;
  /** W3C traceparent of the request's `send` span (undefined only with no OpenTelemetry SDK). */
  readonly traceparent: string | undefined;
  readonly requestId: string;
}

export interface CommandPublisher {
  /** The topic commands go to: the `send` span's destination. */
  readonly topic: string;
  /** Resolves once Kafka acknowledged every command with acks=all; rejects with LedgerError. */
  publish(commands: readonly CommandToPublish[]): Promise<void>;
}

/**
 * Keys are claimed per scope: an account id, a transfer's key, a settlement request (its
 * transfer and its exact content, so only an identical retry is a replay: which of two different
 * settlements wins is the processor's decision), and an account change's key within its account
 * (commandAcceptor.ts `claimKeyOf`).
 */
export type IdempotencyScope = 'account' | 'transfer' | 'settlement' | 'account_change';

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

/** What claiming one key found. */
export interface ClaimResult {
  /** The record that already held the key, or undefined when this attempt may publish. */
  readonly previous: AcceptRecord | undefined;
  /**
   * False when this attempt may publish but cannot rule out an earlier attempt, accepted and not
   * yet decided, under the same key: Redis was down (only decided commands are known), or the
   * claim was taken over from an owner that died and may have published before it did. After
   * publishing, the acceptor asks the ledger (`settle`) whether the command was a replay.
   */
  readonly verified: boolean;
}

/** The ledger's decision of one command, as Postgres `command_outcomes` records it. */
export interface LedgerDecision {
  readonly outcome: CommandOutcome;
  /** The accountId or transferId the decision names (for a replay: the original's). */
  readonly subjectId: string;
  /** Set when the ledger found the command repeats an earlier one: that command's id. */
  readonly replayOf: string | undefined;
}

/**
 * The earlier command the ledger found this one to repeat, if any: a duplicate's `replay_of`.
 * A redelivery of the command itself (`replayOf` its own id) repeats nothing.
 */
export function originalOf(decision: LedgerDecision, commandId: string): string | undefined {
  return decision.replayOf === commandId ? undefined : decision.replayOf;
}

/** The ledger refused the command because its key (or id) belongs to a request with other content. */
export function isKeyConflict(decision: LedgerDecision): boolean {
  const { outcome } = decision;
  return (
    outcome.status === 'rejected' &&
    (outcome.code === 'idempotency_conflict' || outcome.code === 'account_exists')
  );
}

/** A command's state as far as this side knows it. */
export type CommandState =
  { readonly status: 'accepted'; readonly commandId: string } | CommandOutcome;

/**
 * The processor's decision, as it pushes it over Redis (runtime's OutcomeNotice, the one
 * definition both sides share) and stores it in Postgres `command_outcomes`; an applied account
 * change carries the account's new `revision` in both.
 */
export type CommandOutcome = OutcomeNotice;

/**
 * The accept-side idempotency record. Best effort (see docs in redisIdempotencyStore.ts): the
 * processor's unique constraint on the idempotency key is the real exactly-once guard.
 */
export interface IdempotencyStore {
  /**
   * Claims each key for its command, in order (a later claim in the list sees an earlier one).
   * Returns, per claim, the record that already held the key or that the claim won.
   */
  claim(claims: readonly IdempotencyClaim[]): Promise<readonly ClaimResult[]>;
  /** Records that Kafka acknowledged these commands (GET /v1/commands answers "accepted"). */
  confirm(claims: readonly IdempotencyClaim[]): Promise<void>;
  /** Gives up claims whose publish failed, so the client's retry is not taken for a replay. */
  release(claims: readonly IdempotencyClaim[]): Promise<void>;
  /**
   * For published claims that were not verified: waits, bounded, for the ledger's decision of
   * each command, by command id (absent = not decided in time). A command the ledger found to
   * repeat an earlier one makes the key hold that original again where Redis answers.
   */
  settle(claims: readonly IdempotencyClaim[]): Promise<ReadonlyMap<string, LedgerDecision>>;
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

/** runtime's shared limiter (Redis, insured by a local one); fakes implement the same. */
export type { RateDecision, RateLimiter } from '@ledger/runtime';

export interface LagGauge {
  /** The processor group's lag on the commands topic, or undefined when not known (never shed). */
  currentLag(): number | undefined;
}
