import { LedgerError, type Logger } from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type {
  AcceptRecord,
  ClaimResult,
  CommandState,
  IdempotencyClaim,
  IdempotencyStore,
} from '../appDeps.ts';
import { isKeyConflict, originalOf } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import { publishTimeoutMs } from '../kafka/commandProducer.ts';
import type { DecidedCommands } from '../postgres/decidedCommands.ts';
import type { DecisionPoller } from '../postgres/decisionPoller.ts';
import {
  claimIfFree,
  confirmIfHeld,
  decodeRecord,
  deleteIfHeld,
  encodeRecord,
  replaceIfHeld,
  takeOverIfOwnerGone,
} from './claimRecord.ts';
import { parseOutcomeNotices } from './outcomeNoticeParser.ts';
import type { RedisKeys } from './redisKeys.ts';

/** How long the accept side remembers a key; replays older than this are the processor's. */
export const idempotencyTtlSecondsDefault = 24 * 60 * 60;
export const idempotencyTtlSecondsMax = 7 * 24 * 60 * 60;
/**
 * How long a claim lives until its publish is confirmed (then it gets the full TTL). A failed
 * publish releases its claim; should that release fail too, the key would answer "still being
 * accepted" to every retry for the whole TTL. A request settles its publish within
 * publishTimeoutMs and confirms right after, so six times that never expires a live claim. A
 * dead owner's claim does not wait for this: it is taken over once the owner's lease lapses
 * (ownerLeaseTtlMs); this bound is for a live owner whose confirm or release Redis missed.
 */
export const claimPendingMs = 6 * publishTimeoutMs;

/**
 * Default bound on how long a command whose claim was not verified (Redis down, or a claim taken
 * over from a dead owner) waits, after Kafka acked it, for the processor's decision in Postgres:
 * a processor that keeps up decides within hundreds of milliseconds (the bench's p99 from
 * accepted to visible in the query API, which includes more hops, is ~1.4 s at half its maximum
 * load), and a 202 delayed by seconds is still within a client's patience. Configurable up to
 * ledgerCheckWaitMsMax (`LEDGER_COMMAND_API_LEDGER_CHECK_WAIT_MS`); 0 answers at once.
 */
export const ledgerCheckWaitMsDefault = 3_000;
export const ledgerCheckWaitMsMax = 30_000;

export interface RedisIdempotencyStoreOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly ttlSeconds: number;
  /** This instance's id: its pending claims record it, its lease (ownerLease.ts) proves it alive. */
  readonly ownerId: string;
  readonly decided: DecidedCommands;
  /** Reads decisions of commands whose claim was not verified (`settle`). */
  readonly decisions: DecisionPoller;
  /** How long `settle` waits for them (ledgerCheckWaitMsDefault). */
  readonly ledgerCheckWaitMs?: number;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
}

/**
 * The accept-side idempotency record: `SET <key> {commandId, requestHash, subjectId, owner} NX
 * GET PX` claims a key for claimPendingMs and returns the previous holder in one round trip
 * (Redis ≥ 7.0). After Kafka acks, the claim loses its owner and gets the full TTL, and an
 * `accepted:<commandId>` marker lets GET /v1/commands answer "accepted" before the processor
 * decides; after a failed publish the claim is deleted, so the retry is a new attempt.
 *
 * A pending claim whose owner's lease (ownerLease.ts) is gone belongs to a dead instance: the
 * next request takes it over (compare-and-set), so the key frees within ownerLeaseTtlMs, not
 * claimPendingMs. The dead owner may have published before it died, so the new claim is
 * unverified (below). An instance releases and confirms only its own pending record: a stale
 * attempt (its claim taken over) changes nothing.
 *
 * A call's commands are sent one by one, on purpose: the client auto-pipelines
 * (runtime/redisClient.ts), so the commands of every request in one event-loop turn leave in one
 * socket write, where an explicit pipeline per request would cost a write per request. A command
 * Redis refuses rejects the call: claim falls back to Postgres, confirm and release are logged.
 * The normal path costs no Postgres access at all. The stored record's format and the
 * compare-and-set scripts that write it are claimRecord.ts.
 *
 * Where Redis cannot vouch for a claim (Redis down: Postgres `transfers` / `accounts` only know
 * decided commands; a claim taken over from a dead owner), the claim is unverified: the command
 * is published, and `settle` then waits up to ledgerCheckWaitMs for the processor's decision in
 * Postgres `command_outcomes`. The processor records a repeat of an earlier command with the
 * same key as a duplicate whose `replay_of` names the original, so the client is answered with
 * the original (see commandAcceptor.ts). What remains best effort:
 * - an unverified command not decided within ledgerCheckWaitMs (processor down or lagging) is
 *   answered as new, although the processor may later find it a replay;
 * - a key older than the TTL: the request is published again;
 * - a confirm that Redis missed, with its owner alive: the claim stays pending until
 *   claimPendingMs, and a replay meanwhile is answered 503 "still being accepted";
 * - an owner whose lease lapsed while it lived (blocked past ownerLeaseTtlMs): both it and the
 *   taker publish; its own client keeps the commandId it was given, a duplicate;
 * - two instances racing while Redis fails over.
 * In every case the processor's unique constraint on the idempotency key / transferId /
 * accountId is the real exactly-once guard: it recognises the duplicate, applies nothing, and
 * records an outcome that replays the first one (or idempotency_conflict for another body).
 */
export function createRedisIdempotencyStore(
  options: RedisIdempotencyStoreOptions,
): IdempotencyStore {
  const { redis, keys, ownerId, decided, decisions, metrics, logger } = options;
  if (options.ttlSeconds < 60 || options.ttlSeconds > idempotencyTtlSecondsMax) {
    throw new Error(
      `idempotency TTL ${options.ttlSeconds} s is outside [60, ${idempotencyTtlSecondsMax}]`,
    );
  }
  const ledgerCheckWaitMs = options.ledgerCheckWaitMs ?? ledgerCheckWaitMsDefault;
  if (ledgerCheckWaitMs < 0 || ledgerCheckWaitMs > ledgerCheckWaitMsMax) {
    throw new Error(
      `ledger check wait ${ledgerCheckWaitMs} ms is outside [0, ${ledgerCheckWaitMsMax}]`,
    );
  }
  const ttlMs = String(options.ttlSeconds * 1_000);
  const pendingMs = String(claimPendingMs);
  const ready = () => redis.status === 'ready';
  const keyOf = (claim: IdempotencyClaim) => keys.idempotency(claim.scope, claim.key);

  /** The decided commands holding these claims' keys, per claim (undefined: none decided). */
  const decidedHolders = async (
    claims: readonly IdempotencyClaim[],
  ): Promise<readonly (AcceptRecord | undefined)[]> => {
    const keysOf = (scope: IdempotencyClaim['scope']) => [
      ...new Set(claims.filter((claim) => claim.scope === scope).map((claim) => claim.key)),
    ];
    const [transfers, accounts] = await Promise.all([
      decided.transfersByKey(keysOf('transfer')),
      decided.accountsById(keysOf('account')),
    ]);
    // A settlement and an account change have no lookup here: the processor replays a repeat
    // of the settlement that won (pending_settlements' request hash) and decides any other one,
    // and finds an account change's key among the account's changes (account_changes). Their
    // claims stay unverified, so `settle` asks the ledger's decision.
    return claims.map((claim) => {
      switch (claim.scope) {
        case 'transfer':
          return transfers.get(claim.key);
        case 'account':
          return accounts.get(claim.key);
        case 'settlement':
        case 'account_change':
          return undefined;
      }
    });
  };

  const claimInPostgres = async (
    claims: readonly IdempotencyClaim[],
  ): Promise<readonly ClaimResult[]> => {
    metrics.redisDegraded.inc({ operation: 'idempotency_claim' });
    let holders: readonly (AcceptRecord | undefined)[] = [];
    try {
      holders = await decidedHolders(claims);
    } catch (error) {
      logger.warn('idempotency fallback to Postgres failed: the processor will dedupe', { error });
    }
    // Within one request, a later item still sees an earlier one with the same key.
    const seen = new Map<string, AcceptRecord>();
    return claims.map((claim, index) => {
      const id = `${claim.scope}:${claim.key}`;
      const previous = holders[index] ?? seen.get(id);
      if (previous === undefined) seen.set(id, claim.record);
      return { previous, verified: previous !== undefined };
    });
  };

  /** A pending claim of another instance: taken over if its owner is dead, else it holds. */
  const takeOverIfOwnerDead = async (
    claim: IdempotencyClaim,
    holderText: string,
    holder: AcceptRecord,
    holderOwner: string,
  ): Promise<ClaimResult> => {
    let current: unknown;
    try {
      current = await takeOverIfOwnerGone(
        redis,
        keyOf(claim),
        keys.owner(holderOwner),
        holderText,
        encodeRecord(claim.record, ownerId),
        pendingMs,
      );
    } catch (error) {
      logger.warn('could not check the owner of a pending idempotency claim', { error });
      return { previous: holder, verified: true };
    }
    if (current === null) {
      metrics.idempotencyTakeovers.inc();
      return { previous: undefined, verified: false };
    }
    const now = typeof current === 'string' ? decodeRecord(current) : undefined;
    return { previous: now?.record ?? holder, verified: true };
  };

  /** Compare-and-set of this claim's confirmed record: to `next`, or deleted without one. */
  const replaceRecord = (claim: IdempotencyClaim, next: AcceptRecord | undefined) => {
    const key = keyOf(claim);
    const current = encodeRecord(claim.record);
    return next === undefined
      ? deleteIfHeld(redis, key, current)
      : replaceIfHeld(redis, key, current, encodeRecord(next));
  };

  return {
    async claim(claims) {
      if (claims.length === 0) return [];
      if (!ready()) return claimInPostgres(claims);
      let previous: unknown[];
      try {
        previous = await Promise.all(
          claims.map((claim) =>
            claimIfFree(redis, keyOf(claim), encodeRecord(claim.record, ownerId), pendingMs),
          ),
        );
      } catch {
        return claimInPostgres(claims);
      }
      return Promise.all(
        claims.map(async (claim, index): Promise<ClaimResult> => {
          const value = previous[index];
          if (typeof value !== 'string') return { previous: undefined, verified: true };
          const holder = decodeRecord(value);
          // An unreadable record is no record, but it may stand for a published command.
          if (holder === undefined) return { previous: undefined, verified: false };
          const { record, owner } = holder;
          if (owner === undefined || owner === ownerId) return { previous: record, verified: true };
          return takeOverIfOwnerDead(claim, value, record, owner);
        }),
      );
    },

    async confirm(claims) {
      if (claims.length === 0) return;
      if (!ready()) {
        metrics.redisDegraded.inc({ operation: 'idempotency_confirm' });
        return;
      }
      await Promise.all(
        claims.flatMap((claim) => [
          confirmIfHeld(
            redis,
            keyOf(claim),
            encodeRecord(claim.record, ownerId),
            encodeRecord(claim.record),
            ttlMs,
          ),
          redis.set(keys.accepted(claim.record.commandId), '1', 'PX', ttlMs),
        ]),
      );
    },

    async release(claims) {
      if (claims.length === 0 || !ready()) return;
      await Promise.all(
        claims.map((claim) =>
          deleteIfHeld(redis, keyOf(claim), encodeRecord(claim.record, ownerId)),
        ),
      );
    },

    async settle(claims) {
      if (claims.length === 0) return new Map();
      const found = await decisions.waitFor(
        claims.map((claim) => claim.record.commandId),
        ledgerCheckWaitMs,
      );
      if (!ready()) return found;
      // Later requests with the key must meet the original, not this command: a replay's key
      // points at its original; a conflict's at the decided holder of the key, else it is freed.
      const replaced: Promise<unknown>[] = [];
      const conflicts: IdempotencyClaim[] = [];
      for (const claim of claims) {
        const decision = found.get(claim.record.commandId);
        if (decision === undefined) continue;
        const originalId = originalOf(decision, claim.record.commandId);
        if (originalId !== undefined) {
          const original = { commandId: originalId, subjectId: decision.subjectId };
          replaced.push(replaceRecord(claim, { ...claim.record, ...original }));
        } else if (isKeyConflict(decision)) {
          conflicts.push(claim);
        }
      }
      if (conflicts.length > 0) {
        const holders = await decidedHolders(conflicts).catch((error: unknown) => {
          logger.warn(
            'reading the decided holders of conflicting idempotency keys failed: the keys are freed',
            { error },
          );
          return [];
        });
        conflicts.forEach((claim, index) => replaced.push(replaceRecord(claim, holders[index])));
      }
      await Promise.all(replaced).catch((error: unknown) => {
        logger.warn('could not point idempotency keys at their original commands', { error });
      });
      return found;
    },

    async states(commandIds) {
      const states = new Map<string, CommandState>();
      if (commandIds.length === 0) return states;
      const acceptedHere = new Set<string>();
      let redisAnswered = false;
      if (ready()) {
        try {
          const values = await redis.mget(
            ...commandIds.map((id) => keys.outcome(id)),
            ...commandIds.map((id) => keys.accepted(id)),
          );
          redisAnswered = true;
          commandIds.forEach((commandId, index) => {
            const outcome = parseStoredOutcome(values[index]);
            if (outcome !== undefined) states.set(commandId, outcome);
            else if (values[commandIds.length + index] != null) acceptedHere.add(commandId);
          });
        } catch (error) {
          logger.warn('reading command states from Redis failed', { error });
        }
      }
      if (!redisAnswered) metrics.redisDegraded.inc({ operation: 'command_state' });
      const undecided = [...new Set(commandIds.filter((id) => !states.has(id)))];
      if (undecided.length === 0) return states;
      try {
        for (const [commandId, outcome] of await decided.outcomes(undecided))
          states.set(commandId, outcome);
      } catch (error) {
        if (!redisAnswered) {
          throw new LedgerError('overloaded', 'command states are unavailable; retry', {
            retryAfterSeconds: 1,
            cause: error,
          });
        }
        logger.warn('reading command outcomes from Postgres failed', { error });
      }
      for (const commandId of acceptedHere) {
        if (!states.has(commandId)) states.set(commandId, { status: 'accepted', commandId });
      }
      return states;
    },
  };
}

function parseStoredOutcome(text: string | null | undefined) {
  if (text === null || text === undefined) return undefined;
  const [outcome] = parseOutcomeNotices(text);
  return outcome;
}
