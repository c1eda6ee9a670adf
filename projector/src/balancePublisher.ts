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

/**
 * Messages per produce request. A batch's versions go out in ONE sendBatch up to this many (the
 * default transaction of 2,000 events carries at most 4,000 versions); bigger batches are split so
 * one partition's record batch stays under the broker's default message.max.bytes (1 MB).
 */
export const balancePublishMessagesMax = 5_000;
/** Accounts read per drain round; a drain loops until nothing is left or a round fails. */
export const balanceDrainAccountsMax = 1_000;
/** Drain rounds per call, so a drain that keeps finding new rows still returns. */
export const balanceDrainRoundsMax = 100;
/** Re-publishes of accounts that moved on while being published, before leaving them to the drain. */
export const balanceCatchUpRoundsMax = 3;

export interface BalancePublisher {
  /**
   * Publishes every version a committed batch carries (sorted by account, ascending versions per
   * account, as `projectEvents` gives them), then forgets the unpublished rows the newest of them
   * cover. Never throws: on failure the rows stay and the drain publishes the newest balance
   * later.
   */
  publish(versions: readonly BalanceChange[]): Promise<void>;
  /** Publishes the current balance of every account left unpublished (start, timer, failures). */
  drain(): Promise<number>;
  /** Drains every `intervalMs` until stopped. */
  startDrainLoop(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The producer side of the compacted `ledger.balances` changelog, keyed by accountId. Side
 * effects after commit (STYLE.md 7): each batch publishes, from its in-memory rows, EVERY version
 * it committed, in ascending order per account (same key, same partition, one idempotent producer
 * with one request in flight: Kafka keeps that order), so a stream client sees every version
 * (API.md). The projector_unpublished_balances rows only record each account's NEWEST version:
 * after a crash or a failed publish between commit and send, the drain republishes the current
 * balance and the intermediate versions of that batch are never on the topic. A stream client
 * subscribed then sees a gap (once per crash, after the query API's gap timeout); caches and
 * compaction only need the newest, which is guaranteed.
 *
 * Order across partitions' batches is not guaranteed: one account's versions come from several
 * partitions (a credit is decided in the debtor's), so a message for version v (committed by one
 * partition's batch) may reach Kafka after one for v+1 (committed by another's), and a drain
 * republishes what it finds. Consumers are fine with that by contract: caches keep the highest
 * version they have seen, streams reorder (query-api balanceStream.ts). But compaction keeps the
 * LAST message per key, not the highest version, so a late v must not stay last: after each send
 * the publisher re-reads the sent accounts and publishes again those whose view has moved past
 * the newest version it sent. Whoever committed v+1 after that check publishes v+1 after our
 * acknowledged v, so once writes stop every account's last message is its newest balance.
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

  /** `versions` sorted by account then version; later rounds resend only the newest. */
  async function send(versions: readonly BalanceChange[]): Promise<void> {
    let pending = versions;
    for (let round = 0; pending.length > 0; round += 1) {
      const newest = newestPerAccount(pending);
      if (round > balanceCatchUpRoundsMax) {
        // Hot accounts still moving: the batches moving them publish, the drain covers the rest.
        await markUnpublished(deps.pool, newest);
        return;
      }
      await produce(pending);
      await clearPublished(deps.pool, newest);
      pending = await loadNewer(deps.pool, newest);
    }
  }

  async function produce(versions: readonly BalanceChange[]): Promise<void> {
    for (let start = 0; start < versions.length; start += balancePublishMessagesMax) {
      const chunk = versions.slice(start, start + balancePublishMessagesMax);
      await deps.producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic: deps.topic,
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
          },
        ],
      });
      deps.published.inc(chunk.length);
    }
  }

  async function publish(versions: readonly BalanceChange[]): Promise<void> {
    if (versions.length === 0) return;
    try {
      await send(versions);
    } catch (error) {
      deps.failures.inc();
      logger.warn('balance publish failed: the drain republishes the newest balances', {
        versions: versions.length,
        error,
      });
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

/**
 * The newest version of each account in `versions` (sorted by account, then ascending version):
 * what the outbox and the re-read compare against, since only the last message per key survives
 * compaction.
 */
export function newestPerAccount(versions: readonly BalanceChange[]): BalanceChange[] {
  const newest: BalanceChange[] = [];
  for (const change of versions) {
    const last = newest.at(-1);
    if (last?.accountId !== change.accountId) newest.push(change);
    else if (change.version > last.version) newest[newest.length - 1] = change;
  }
  return newest;
}
