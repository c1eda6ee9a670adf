import { LedgerError, type Logger } from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { AcceptRecord, CommandState, IdempotencyClaim, IdempotencyStore } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import { publishTimeoutMs } from '../kafka/commandProducer.ts';
import type { DecidedCommands } from '../postgres/decidedCommands.ts';
import { parseOutcomeNotices } from './outcomeNoticeParser.ts';
import type { RedisKeys } from './redisKeys.ts';

/** How long the accept side remembers a key; replays older than this are the processor's. */
export const idempotencyTtlSecondsDefault = 24 * 60 * 60;
export const idempotencyTtlSecondsMax = 7 * 24 * 60 * 60;
/**
 * How long a claim lives until its publish is confirmed (then it gets the full TTL). A failed
 * publish releases its claim; should that release fail too, the key would answer "still being
 * accepted" to every retry for the whole TTL. A request settles its publish within
 * publishTimeoutMs and confirms right after, so six times that never expires a live claim.
 */
export const claimPendingMs = 6 * publishTimeoutMs;

/**
 * Deletes a claim only if it still holds this attempt's record. Sent with EVAL, not through
 * defineCommand + `pipeline.call(name)`: `call` sends the name as a raw Redis command, which Redis
 * refused ("unknown command") inside a pipeline whose exec() does not throw, so no claim was ever
 * released and every retry after a failed publish became a "replay" of a command Kafka never had.
 */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Gives a confirmed claim the full TTL, only if it still holds this attempt's record. */
const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

export interface RedisIdempotencyStoreOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly ttlSeconds: number;
  readonly decided: DecidedCommands;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
}

/**
 * The accept-side idempotency record: `SET <key> {commandId, requestHash, subjectId} NX GET PX`
 * claims a key for claimPendingMs and returns the previous holder in one round trip (Redis ≥
 * 7.0). After Kafka acks, the claim gets the full TTL and an `accepted:<commandId>` marker lets
 * GET /v1/commands answer "accepted" before the processor decides; after a failed publish the
 * claim is deleted, so the retry is a new attempt.
 *
 * A call's commands are sent one by one, on purpose: the client auto-pipelines
 * (runtime/redisClient.ts), so the commands of every request in one event-loop turn leave in one
 * socket write, where an explicit pipeline per request would cost a write per request. A command
 * Redis refuses rejects the call: claim falls back to Postgres, confirm and release are logged.
 *
 * Best effort, by design. The window where it cannot tell a replay from a new request:
 * - Redis down: claims fall back to Postgres `transfers` / `accounts` (decided commands only):
 *   a replay of a command accepted but not yet decided is published again;
 * - a key older than the TTL: the request is published again;
 * - a confirm that Redis missed: the claim expires after claimPendingMs, a replay is published again;
 * - two instances racing while Redis fails over.
 * In every case the processor's unique constraint on the idempotency key / transferId /
 * accountId is the real exactly-once guard: it recognises the duplicate, applies nothing, and
 * records an outcome that replays the first one (or idempotency_conflict for another body).
 */
export function createRedisIdempotencyStore(
  options: RedisIdempotencyStoreOptions,
): IdempotencyStore {
  const { redis, keys, decided, metrics, logger } = options;
  if (options.ttlSeconds < 60 || options.ttlSeconds > idempotencyTtlSecondsMax) {
    throw new Error(
      `idempotency TTL ${options.ttlSeconds} s is outside [60, ${idempotencyTtlSecondsMax}]`,
    );
  }
  const ttlMs = String(options.ttlSeconds * 1_000);
  const pendingMs = String(claimPendingMs);
  const ready = () => redis.status === 'ready';

  const claimInPostgres = async (
    claims: readonly IdempotencyClaim[],
  ): Promise<readonly (AcceptRecord | undefined)[]> => {
    metrics.redisDegraded.inc({ operation: 'idempotency_claim' });
    const keysOf = (scope: IdempotencyClaim['scope']) => [
      ...new Set(claims.filter((claim) => claim.scope === scope).map((claim) => claim.key)),
    ];
    let transfers: ReadonlyMap<string, AcceptRecord> = new Map();
    let accounts: ReadonlyMap<string, AcceptRecord> = new Map();
    try {
      [transfers, accounts] = await Promise.all([
        decided.transfersByKey(keysOf('transfer')),
        decided.accountsById(keysOf('account')),
      ]);
    } catch (error) {
      logger.warn('idempotency fallback to Postgres failed: the processor will dedupe', { error });
    }
    // Within one request, a later item still sees an earlier one with the same key.
    const seen = new Map<string, AcceptRecord>();
    return claims.map((claim) => {
      const id = `${claim.scope}:${claim.key}`;
      const decidedRecord = (claim.scope === 'transfer' ? transfers : accounts).get(claim.key);
      const previous = decidedRecord ?? seen.get(id);
      if (previous === undefined) seen.set(id, claim.record);
      return previous;
    });
  };

  return {
    async claim(claims) {
      if (claims.length === 0) return [];
      if (!ready()) return claimInPostgres(claims);
      let previous: unknown[];
      try {
        previous = await Promise.all(
          claims.map((claim) =>
            redis.call(
              'SET',
              keys.idempotency(claim.scope, claim.key),
              encodeRecord(claim.record),
              'NX',
              'GET',
              'PX',
              pendingMs,
            ),
          ),
        );
      } catch {
        return claimInPostgres(claims);
      }
      return previous.map((value) => (typeof value === 'string' ? decodeRecord(value) : undefined));
    },

    async confirm(claims) {
      if (claims.length === 0) return;
      if (!ready()) {
        metrics.redisDegraded.inc({ operation: 'idempotency_confirm' });
        return;
      }
      await Promise.all(
        claims.flatMap(({ scope, key, record }) => [
          redis.eval(extendScript, 1, keys.idempotency(scope, key), encodeRecord(record), ttlMs),
          redis.set(keys.accepted(record.commandId), '1', 'PX', ttlMs),
        ]),
      );
    },

    async release(claims) {
      if (claims.length === 0 || !ready()) return;
      await Promise.all(
        claims.map((claim) =>
          redis.eval(
            releaseScript,
            1,
            keys.idempotency(claim.scope, claim.key),
            encodeRecord(claim.record),
          ),
        ),
      );
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

function encodeRecord(record: AcceptRecord): string {
  return JSON.stringify({ c: record.commandId, h: record.requestHash, s: record.subjectId });
}

function decodeRecord(text: string): AcceptRecord | undefined {
  try {
    const { c, h, s } = JSON.parse(text) as { c?: unknown; h?: unknown; s?: unknown };
    if (typeof c === 'string' && typeof h === 'string' && typeof s === 'string') {
      return { commandId: c, requestHash: h, subjectId: s };
    }
  } catch {
    // fall through: an unreadable record is no record (the processor still dedupes)
  }
  return undefined;
}

function parseStoredOutcome(text: string | null | undefined) {
  if (text === null || text === undefined) return undefined;
  const [outcome] = parseOutcomeNotices(text);
  return outcome;
}
