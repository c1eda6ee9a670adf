import type { Logger } from '@ledger/runtime';
import type { LedgerDecision } from '../appDeps.ts';
import { lookupKeysMax, type DecidedCommands } from './decidedCommands.ts';

/** How often the waited command ids are looked up in `command_outcomes`, all in one query. */
export const decisionPollIntervalMs = 100;
/**
 * Command ids waited for at once on one instance: ten full batch requests. Each poll reads all
 * of them (in lookups of lookupKeysMax), so this bounds the Postgres work per poll; a wait that
 * would pass it is answered at once with nothing.
 */
export const decisionPollCommandsMax = 10_000;

export interface DecisionPoller {
  /**
   * Resolves with the decisions found within `timeoutMs` (missing = not decided in time), as
   * soon as every command has one. Resolves at once with none when the poller is full or closed.
   */
  waitFor(
    commandIds: readonly string[],
    timeoutMs: number,
  ): Promise<ReadonlyMap<string, LedgerDecision>>;
  /** Answers every wait with what it found so far and stops polling (on shutdown). */
  close(): void;
}

export interface DecisionPollerOptions {
  readonly decided: Pick<DecidedCommands, 'decisions'>;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
  readonly commandsMax?: number;
}

interface Waiter {
  readonly pending: Set<string>;
  readonly found: Map<string, LedgerDecision>;
  finish(): void;
}

/**
 * Waits for the processor's decisions by reading Postgres, for when the Redis push is not there
 * (see redisIdempotencyStore.ts `settle`). One poll loop per instance, whatever the number of
 * waiting requests: every `pollIntervalMs` it reads the decisions of all waited ids, one poll at
 * a time, and only while someone waits. Nothing is polled on the normal path.
 */
export function createDecisionPoller(options: DecisionPollerOptions): DecisionPoller {
  const { decided, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? decisionPollIntervalMs;
  const commandsMax = options.commandsMax ?? decisionPollCommandsMax;
  const waitersById = new Map<string, Set<Waiter>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let closed = false;
  let failing = false;

  const schedule = () => {
    if (timer !== undefined || polling || closed || waitersById.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void poll();
    }, pollIntervalMs);
  };

  const poll = async () => {
    polling = true;
    try {
      const ids = [...waitersById.keys()];
      for (let start = 0; start < ids.length; start += lookupKeysMax) {
        const found = await decided.decisions(ids.slice(start, start + lookupKeysMax));
        for (const [commandId, decision] of found) {
          for (const waiter of [...(waitersById.get(commandId) ?? [])]) {
            waiter.found.set(commandId, decision);
            waiter.pending.delete(commandId);
            forget(commandId, waiter);
            if (waiter.pending.size === 0) waiter.finish();
          }
        }
      }
      if (failing) logger.info('reading command decisions from Postgres works again');
      failing = false;
    } catch (error) {
      if (!failing) logger.warn('reading command decisions from Postgres failed', { error });
      failing = true;
    } finally {
      polling = false;
      schedule();
    }
  };

  const forget = (commandId: string, waiter: Waiter) => {
    const waiters = waitersById.get(commandId);
    waiters?.delete(waiter);
    if (waiters?.size === 0) waitersById.delete(commandId);
  };

  return {
    waitFor(commandIds, timeoutMs) {
      const wanted = new Set(commandIds);
      if (closed || wanted.size === 0 || timeoutMs <= 0) return Promise.resolve(new Map());
      const newIds = [...wanted].filter((id) => !waitersById.has(id)).length;
      if (waitersById.size + newIds > commandsMax) {
        logger.warn('too many commands wait for their decision: answering without it', {
          waited: waitersById.size,
          commandsMax,
        });
        return Promise.resolve(new Map());
      }
      return new Promise((resolve) => {
        const waiter: Waiter = {
          pending: wanted,
          found: new Map(),
          finish: () => {
            clearTimeout(deadline);
            for (const commandId of waiter.pending) forget(commandId, waiter);
            waiter.pending.clear();
            resolve(waiter.found);
          },
        };
        const deadline = setTimeout(() => waiter.finish(), timeoutMs);
        for (const commandId of wanted) {
          const waiters = waitersById.get(commandId) ?? new Set<Waiter>();
          waiters.add(waiter);
          waitersById.set(commandId, waiters);
        }
        schedule();
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const waiters = new Set([...waitersById.values()].flatMap((set) => [...set]));
      for (const waiter of waiters) waiter.finish();
    },
  };
}
