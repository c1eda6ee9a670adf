import type { Logger } from '@ledger/runtime';
import type { LedgerSerde } from '@ledger/schemas';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import {
  clearPublished,
  loadNewer,
  loadUnpublished,
  markUnpublished,
  removeOrphans,
} from './balanceOutbox.ts';
import type { BalanceChange } from './readModelProjection.ts';

/** Messages per produce request; a batch's changes are sent in chunks of this size. */
export const balancePublishMessagesMax = 1_000;
/** Accounts read per drain round; a drain loops until nothing is left or a round fails. */
export const balanceDrainAccountsMax = 1_000;
/** Drain rounds per call, so a drain that keeps finding new rows still returns. */
export const balanceDrainRoundsMax = 100;
/** Re-publishes of accounts that moved on while being published, before leaving them to the drain. */
export const balanceCatchUpRoundsMax = 3;

export interface BalancePublisher {
  /**
   * Publishes the changes of a committed batch (one message per account, its newest version),
   * then forgets their unpublished rows. Never throws: on failure the rows stay and the drain
   * publishes them later. Resolves to whether the publish succeeded.
   */
  publish(changes: readonly BalanceChange[]): Promise<boolean>;
  /** Publishes the current balance of every account left unpublished (start, timer, failures). */
  drain(): Promise<number>;
  /** Drains every `intervalMs` until stopped. */
  startDrainLoop(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The producer side of the compacted `ledger.balances` changelog, keyed by accountId. Side
 * effects after commit (STYLE.md 7): batches publish what they committed, and the
 * projector_unpublished_balances rows make that at-least-once across crashes and Kafka outages.
 *
 * Order across partitions' batches is not guaranteed: a message for version v (committed by one
 * partition's batch) may reach Kafka after one for v+1 (committed by another's), and a drain
 * republishes what it finds. Consumers are fine with that by contract: the query API keeps the
 * highest version it has seen per account and ignores older ones. But compaction keeps the LAST
 * message per key, not the highest version, so a late v must not stay last: after each send the
 * publisher re-reads the sent accounts and publishes again those whose view has moved past what
 * it sent. Whoever committed v+1 after that check publishes v+1 after our acknowledged v, so once
 * writes stop every account's last message is its newest balance.
 */
export function createBalancePublisher(deps: {
  producer: Producer;
  pool: pg.Pool;
  serde: LedgerSerde;
  topic: string;
  logger: Logger;
  published: Counter;
  failures: Counter;
}): BalancePublisher {
  const { logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<number> | undefined;
  let stopped = false;

  async function send(changes: readonly BalanceChange[]): Promise<void> {
    let pending = changes;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > balanceCatchUpRoundsMax) {
        // Hot accounts still moving: the batches moving them publish, the drain covers the rest.
        await markUnpublished(deps.pool, pending);
        return;
      }
      await produce(pending);
      await clearPublished(deps.pool, pending);
      pending = await loadNewer(deps.pool, pending);
    }
  }

  async function produce(changes: readonly BalanceChange[]): Promise<void> {
    for (let start = 0; start < changes.length; start += balancePublishMessagesMax) {
      const chunk = changes.slice(start, start + balancePublishMessagesMax);
      await deps.producer.send({
        topic: deps.topic,
        acks: -1,
        messages: chunk.map((change) => ({
          key: change.accountId,
          value: deps.serde.encodeBalance({
            accountId: change.accountId,
            currency: change.currency,
            balance: change.balance,
            version: change.version,
            updatedAt: change.updatedAtMs,
          }),
        })),
      });
      deps.published.inc(chunk.length);
    }
  }

  async function publish(changes: readonly BalanceChange[]): Promise<boolean> {
    if (changes.length === 0) return true;
    try {
      await send(changes);
      return true;
    } catch (error) {
      deps.failures.inc();
      logger.warn('balance publish failed: left for the drain', {
        accounts: changes.length,
        error,
      });
      return false;
    }
  }

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (let round = 0; round < balanceDrainRoundsMax; round += 1) {
      const { changes, orphans } = await loadUnpublished(deps.pool, balanceDrainAccountsMax);
      await removeOrphans(deps.pool, orphans);
      if (changes.length === 0) break;
      // A failure throws out of the loop: the rows stay for the next drain.
      await send(changes);
      total += changes.length;
      if (changes.length < balanceDrainAccountsMax) break;
    }
    if (total > 0) logger.info('published balances left unpublished', { accounts: total });
    return total;
  }

  function drain(): Promise<number> {
    // One drain at a time; a caller arriving meanwhile shares it.
    draining ??= drainOnce().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  return {
    publish,
    drain,
    startDrainLoop(intervalMs) {
      const tick = () => {
        timer = undefined;
        if (stopped) return;
        drain()
          .catch((error: unknown) => {
            deps.failures.inc();
            logger.warn('balance drain failed: retrying on the next tick', { error });
          })
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, intervalMs).unref();
          });
      };
      timer = setTimeout(tick, intervalMs).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await draining?.catch(() => undefined);
    },
  };
}
