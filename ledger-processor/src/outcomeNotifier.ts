import {
  outcomeChannel,
  outcomeKey,
  outcomeNoticeTtlSeconds,
  type Logger,
  type OutcomeNotice,
} from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import type { CommandOutcome } from './domain/index.ts';
import { balancesToJson } from './ledgerRows.ts';

/**
 * Batches whose notices may be on their way to Redis at once. The processor does not wait for
 * them (Redis must not slow the ledger), so without a bound a slow or silent Redis would pile up
 * every batch's notices in memory; beyond it a batch's notices are dropped like a failed push.
 */
export const outcomeNoticeBatchesInFlightMax = 8;

export interface OutcomeNotifier {
  /** After commit only. Never throws: a client that waits falls back to 202 (docs/contract.md). */
  notify(outcomes: readonly CommandOutcome[]): Promise<void>;
}

function noticeFromOutcome(outcome: CommandOutcome): OutcomeNotice {
  if (outcome.status === 'applied') {
    const balances = balancesToJson(outcome.balances);
    return {
      commandId: outcome.commandId,
      status: 'applied',
      versions: outcome.versions,
      ...(Object.keys(balances).length > 0 ? { balances } : {}),
      // An applied account change (or its replay): the account's revision after it.
      ...(outcome.revision === undefined ? {} : { revision: outcome.revision }),
    };
  }
  const code = outcome.code;
  if (code === undefined) throw new Error(`rejected outcome ${outcome.commandId} has no code`);
  return { commandId: outcome.commandId, status: 'rejected', code };
}

/**
 * One Redis round trip per batch: a SET with a TTL per outcome (read by a waiter that subscribed
 * after the publish) and one PUBLISH of the whole batch (read by every command API instance).
 */
export function createOutcomeNotifier(deps: {
  redis: Redis;
  topicPrefix: string;
  logger: Logger;
  failures: Counter;
}): OutcomeNotifier {
  const channel = outcomeChannel(deps.topicPrefix);
  let inFlight = 0;
  return {
    async notify(outcomes) {
      if (outcomes.length === 0) return;
      if (inFlight >= outcomeNoticeBatchesInFlightMax) {
        deps.failures.inc();
        deps.logger.warn('outcome notice dropped (redis behind)', { outcomes: outcomes.length });
        return;
      }
      const notices = outcomes.map(noticeFromOutcome);
      const pipeline = deps.redis.pipeline();
      for (const notice of notices) {
        pipeline.set(
          outcomeKey(deps.topicPrefix, notice.commandId),
          JSON.stringify(notice),
          'EX',
          outcomeNoticeTtlSeconds,
        );
      }
      pipeline.publish(channel, JSON.stringify(notices));
      inFlight += 1;
      try {
        await pipeline.exec();
      } catch (error) {
        deps.failures.inc();
        deps.logger.warn('outcome notice not delivered (redis unavailable)', {
          error: error instanceof Error ? error.message : String(error),
          outcomes: outcomes.length,
        });
      } finally {
        inFlight -= 1;
      }
    },
  };
}
