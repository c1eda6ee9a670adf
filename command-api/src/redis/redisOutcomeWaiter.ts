import type { Logger } from '@ledger/runtime';
import type { Redis } from 'ioredis';
import type { CommandOutcome, OutcomeWait, OutcomeWaiter } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import { parseOutcomeNotices } from './outcomeNoticeParser.ts';
import type { RedisKeys } from './redisKeys.ts';

/** Commands being waited for at once on this instance; beyond it a wait answers 202 at once. */
export const waitedCommandsMax = 100_000;

export interface RedisOutcomeWaiterOptions {
  /** A dedicated connection: a subscribed Redis connection can run nothing but (un)subscribe. */
  readonly subscriber: Redis;
  /** The regular connection, for the one read that closes the subscribe/publish race. */
  readonly reader: Redis;
  readonly keys: RedisKeys;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
}

export interface RedisOutcomeWaiter extends OutcomeWaiter {
  /** Subscribes to the outcome channel (ioredis resubscribes by itself after a reconnect). */
  start(): Promise<void>;
  /** Answers every pending wait with what it has (202s), then unsubscribes. */
  close(): Promise<void>;
}

interface Wait {
  readonly pending: Set<string>;
  readonly outcomes: Map<string, CommandOutcome>;
  readonly finish: () => void;
}

/**
 * `Prefer: wait` without polling: the processor publishes each batch's outcomes on one channel
 * (runtime's outcomeNotices.ts) and every instance resolves its own waiters. A waiter registers
 * first, then reads the outcome keys once with MGET: an outcome published before the
 * registration is found there, one published after arrives on the channel.
 */
export function createRedisOutcomeWaiter(options: RedisOutcomeWaiterOptions): RedisOutcomeWaiter {
  const { subscriber, reader, keys, metrics, logger } = options;
  const waitsByCommand = new Map<string, Set<Wait>>();
  let waitedCommands = 0;
  let closed = false;

  const deliver = (outcome: CommandOutcome) => {
    const waits = waitsByCommand.get(outcome.commandId);
    if (waits === undefined) return;
    for (const wait of [...waits]) {
      if (!wait.pending.delete(outcome.commandId)) continue;
      wait.outcomes.set(outcome.commandId, outcome);
      if (wait.pending.size === 0) wait.finish();
    }
  };

  const isWaited = (commandId: string) => waitsByCommand.has(commandId);
  // Every instance receives every batch's notices; with no wait registered here (the common
  // case: 202 answers, other instances' waits) there is nothing to parse them for.
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== keys.outcomeChannel || waitsByCommand.size === 0) return;
    for (const outcome of parseOutcomeNotices(text, isWaited)) deliver(outcome);
  });

  return {
    async start() {
      // Subscribe on every (re)connect: ioredis resubscribes only channels it had before, and a
      // Redis that was down at start-up never had any.
      subscriber.on('ready', () => {
        subscriber.subscribe(keys.outcomeChannel).catch((error: unknown) => {
          logger.warn('could not subscribe to outcome notices', { error });
        });
      });
      if (subscriber.status === 'wait') await subscriber.connect();
      else if (subscriber.status === 'ready') await subscriber.subscribe(keys.outcomeChannel);
    },

    waitFor(commandIds, timeoutMs): Promise<OutcomeWait> {
      const unique = [...new Set(commandIds)];
      const usable = !closed && subscriber.status === 'ready' && reader.status === 'ready';
      if (!usable || waitedCommands + unique.length > waitedCommandsMax) {
        if (!usable) metrics.redisDegraded.inc({ operation: 'outcome_wait' });
        return Promise.resolve({ outcomes: new Map(), waited: false });
      }
      return new Promise<OutcomeWait>((resolve) => {
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          for (const commandId of unique) {
            const waits = waitsByCommand.get(commandId);
            waits?.delete(wait);
            if (waits?.size === 0) waitsByCommand.delete(commandId);
          }
          waitedCommands -= unique.length;
          metrics.waitedCommands.set(waitedCommands);
          resolve({ outcomes: wait.outcomes, waited: true });
        };
        const wait: Wait = { pending: new Set(unique), outcomes: new Map(), finish };
        waitedCommands += unique.length;
        metrics.waitedCommands.set(waitedCommands);
        for (const commandId of unique) {
          let waits = waitsByCommand.get(commandId);
          if (waits === undefined) waitsByCommand.set(commandId, (waits = new Set()));
          waits.add(wait);
        }
        const timer = setTimeout(finish, timeoutMs);
        reader.mget(...unique.map((id) => keys.outcome(id))).then(
          (values) => {
            for (const text of values) {
              if (text !== null) for (const outcome of parseOutcomeNotices(text)) deliver(outcome);
            }
          },
          (error: unknown) =>
            logger.debug('outcome key read failed; waiting on the channel', { error }),
        );
      });
    },

    async close() {
      closed = true;
      const all = new Set<Wait>();
      for (const waits of waitsByCommand.values()) for (const wait of waits) all.add(wait);
      for (const wait of all) wait.finish();
      if (subscriber.status === 'ready') await subscriber.unsubscribe(keys.outcomeChannel);
    },
  };
}
