import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CommandDecision } from './domain/index.ts';

export function createProcessorMetrics(registry: Registry) {
  return {
    commandsDecided: new Counter({
      name: 'ledger_processor_commands_decided_total',
      help: 'Commands decided, by decision kind (applied, rejected, duplicate, conflict)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'ledger_processor_dead_letters_total',
      help: 'Commands sent to the dead-letter topic (undecodable or invalid)',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'ledger_processor_batch_commands',
      help: 'Commands per committed transaction',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'ledger_processor_batch_seconds',
      help: 'Time from taking a connection to commit for one group transaction, retries included',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    transactionPhaseSeconds: new Histogram({
      name: 'ledger_processor_transaction_phase_seconds',
      help: 'Time in each step of a ledger transaction (lock_offsets, snapshot, decide, chain, write, commit)',
      labelNames: ['phase'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchRetries: new Counter({
      name: 'ledger_processor_batch_retries_total',
      help: 'Batches retried after a transient Postgres error (unique violation across partitions, deadlock)',
      registers: [registry],
    }),
    redeliveredSkipped: new Counter({
      name: 'ledger_processor_redelivered_batches_total',
      help: 'Batches whose messages the stored offset already covered (redelivery after crash or rebalance)',
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'ledger_processor_outbox_published_total',
      help: 'Outbox rows (events and dead letters) published to Kafka',
      registers: [registry],
    }),
    outboxOldestUnpublishedAge: new Gauge({
      name: 'ledger_processor_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest outbox row not yet acknowledged by Kafka, over the partitions this instance owns (0 when all are published)',
      registers: [registry],
    }),
    outboxPruned: new Counter({
      name: 'ledger_processor_outbox_pruned_total',
      help: 'Published outbox rows deleted after the retention',
      registers: [registry],
    }),
    acceptToApplied: new Histogram({
      name: 'ledger_processor_accept_to_applied_seconds',
      help: 'From the command API accepting a command (receivedAt) to the commit that decided it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    transfersPosted: new Counter({
      name: 'ledger_processor_transfers_posted_total',
      help: 'Transfers posted to the ledger',
      registers: [registry],
    }),
    transfersRejected: new Counter({
      name: 'ledger_processor_transfers_rejected_total',
      help: 'Transfers rejected by the ledger, by rejection code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    accountsOpened: new Counter({
      name: 'ledger_processor_accounts_opened_total',
      help: 'Accounts opened',
      registers: [registry],
    }),
    accountOpensRejected: new Counter({
      name: 'ledger_processor_account_opens_rejected_total',
      help: 'Account openings rejected by the ledger, by rejection code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    transfersPending: new Counter({
      name: 'ledger_processor_transfers_pending_total',
      help: 'Pending transfers (holds) the ledger decided',
      registers: [registry],
    }),
    pendingSettled: new Counter({
      name: 'ledger_processor_pending_settled_total',
      help: 'Pending transfers settled, by how (posted, voided, expired)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    settlementsRejected: new Counter({
      name: 'ledger_processor_settlements_rejected_total',
      help: 'Posts, voids and expiries of pending transfers refused, by rejection code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    accountChanges: new Counter({
      name: 'ledger_processor_account_changes_total',
      help: 'Account changes decided (freeze, unfreeze, close, update_metadata), by change and outcome (applied or the rejection code)',
      labelNames: ['change', 'outcome'] as const,
      registers: [registry],
    }),
    expiriesSent: new Counter({
      name: 'ledger_processor_pending_expiries_sent_total',
      help: 'Expiries of pending transfers the sweep appended to the commands topic',
      registers: [registry],
    }),
    outcomeNoticeFailures: new Counter({
      name: 'ledger_processor_outcome_notice_failures_total',
      help: 'Batches whose outcomes could not be pushed to Redis (waiting clients get 202)',
      registers: [registry],
    }),
  };
}
export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;

/**
 * What one committed batch decided, into the business counters and the accept → applied
 * histogram. Counted per batch and added once per series: a labelled inc hashes its labels.
 */
export function recordDecisions(
  metrics: ProcessorMetrics,
  decisions: readonly CommandDecision[],
  committedAtMs: number,
): void {
  const byKind = new Map<string, number>();
  const rejectedByCode = new Map<string, number>();
  const openRejectedByCode = new Map<string, number>();
  const settledBy = new Map<string, number>();
  const settlementRejectedByCode = new Map<string, number>();
  /** `change outcome` (neither has a space) → count. */
  const changesBy = new Map<string, number>();
  let posted = 0;
  let opened = 0;
  let pending = 0;
  for (const decision of decisions) {
    byKind.set(decision.kind, (byKind.get(decision.kind) ?? 0) + 1);
    if (decision.kind !== 'applied' && decision.kind !== 'rejected') continue;
    metrics.acceptToApplied.observe(
      Math.max(0, committedAtMs - decision.command.receivedAtMs) / 1_000,
    );
    const { event } = decision;
    switch (event.type) {
      case 'TransferPosted':
        posted += 1;
        break;
      case 'TransferRejected':
        rejectedByCode.set(event.code, (rejectedByCode.get(event.code) ?? 0) + 1);
        break;
      case 'AccountOpened':
        opened += 1;
        break;
      case 'AccountOpenRejected':
        openRejectedByCode.set(event.code, (openRejectedByCode.get(event.code) ?? 0) + 1);
        break;
      case 'TransferPending':
        pending += 1;
        break;
      case 'PendingPosted':
        settledBy.set('posted', (settledBy.get('posted') ?? 0) + 1);
        break;
      case 'PendingVoided':
        settledBy.set(event.reason, (settledBy.get(event.reason) ?? 0) + 1);
        break;
      case 'SettlementRejected':
        settlementRejectedByCode.set(
          event.code,
          (settlementRejectedByCode.get(event.code) ?? 0) + 1,
        );
        break;
      case 'AccountChanged':
      case 'AccountChangeRejected': {
        const key = `${event.change} ${event.type === 'AccountChanged' ? 'applied' : event.code}`;
        changesBy.set(key, (changesBy.get(key) ?? 0) + 1);
        break;
      }
    }
  }
  for (const [kind, count] of byKind) metrics.commandsDecided.inc({ kind }, count);
  if (posted > 0) metrics.transfersPosted.inc(posted);
  if (opened > 0) metrics.accountsOpened.inc(opened);
  for (const [code, count] of rejectedByCode) metrics.transfersRejected.inc({ code }, count);
  for (const [code, count] of openRejectedByCode) metrics.accountOpensRejected.inc({ code }, count);
  if (pending > 0) metrics.transfersPending.inc(pending);
  for (const [outcome, count] of settledBy) metrics.pendingSettled.inc({ outcome }, count);
  for (const [code, count] of settlementRejectedByCode) {
    metrics.settlementsRejected.inc({ code }, count);
  }
  for (const [key, count] of changesBy) {
    const [change = '', outcome = ''] = key.split(' ');
    metrics.accountChanges.inc({ change, outcome }, count);
  }
}

/** The relay's publishes queued or running, read when Prometheus scrapes (outbox backlog). */
export function registerOutboxQueueGauge(registry: Registry, relay: { queued(): number }): void {
  new Gauge({
    name: 'ledger_processor_outbox_queued_publishes',
    help: "Committed batches' outbox publishes queued or running in this instance's relay",
    registers: [registry],
    collect() {
      this.set(relay.queued());
    },
  });
}
