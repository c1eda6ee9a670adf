import { intFromEnv } from '@ledger/runtime';

/**
 * What the auditor holds in memory, and how long it waits for a missing version. Each may be
 * lowered or raised with its variable, within bounds checked at start (a bad value stops the
 * start, before anything is read). A run that reaches a limit stops with exit code 3: it has not
 * found a violation, it could not finish proving there is none. JS Maps hold at most 2^24
 * entries, so no count limit goes past 16,000,000.
 */
export interface AuditLimits {
  /** Accounts whose version, balance, status and revision are tracked (opened or named by a leg). */
  readonly accountsMax: number;
  /** Legs read ahead of an earlier version of their account, waiting for it. */
  readonly pendingLegsMax: number;
  /** Event ids remembered to tell a republished duplicate from a reused id. */
  readonly eventIdsMax: number;
  /** Transfer ids remembered to find a transfer posted twice. */
  readonly transferIdsMax: number;
  /**
   * Pending transfers (holds) remembered, open or settled: what a settlement must match, and
   * proof that none is settled twice or reused as an ordinary transfer's id.
   */
  readonly pendingTransfersMax: number;
  /** `--follow`: how long a leg may wait for its account's earlier version before it is a gap. */
  readonly gapWaitMs: number;
}

/**
 * ~300 bytes each (version, balance and held, pending legs, and from schema v4 the status,
 * revision, the versions of its latest change, freeze in force and close, and its highest entry
 * from another chain: a fixed few per account, however often it changes; lifecycleChecks.ts):
 * ~300 MB at the limit.
 */
export const auditAccountsMaxDefault = 1_000_000;
/**
 * A credit leg is read out of order when the credited account's partition is behind the
 * debtor's; more than this many waiting legs means a partition is stuck or versions are missing.
 */
export const auditPendingLegsMaxDefault = 100_000;
/** ~150 bytes each (id and a 128-bit content digest): ~750 MB at the limit. */
export const auditEventIdsMaxDefault = 5_000_000;
export const auditTransferIdsMaxDefault = 5_000_000;
/** ~250 bytes each (id, accounts, currency, amount, where it was read and settled): ~1.25 GB. */
export const auditPendingTransfersMaxDefault = 5_000_000;
/**
 * Longer than the ledger takes to republish a crashed processor's unpublished events (a session
 * timeout, ~8 s, plus the relay's catch-up), so a version still on its way is not called a gap.
 */
export const auditGapWaitMsDefault = 30_000;
const countLimitMax = 16_000_000;

export const auditLimitVariables = {
  accountsMax: 'LEDGER_AUDIT_ACCOUNTS_MAX',
  pendingLegsMax: 'LEDGER_AUDIT_PENDING_LEGS_MAX',
  eventIdsMax: 'LEDGER_AUDIT_EVENT_IDS_MAX',
  transferIdsMax: 'LEDGER_AUDIT_TRANSFER_IDS_MAX',
  pendingTransfersMax: 'LEDGER_AUDIT_PENDING_TRANSFERS_MAX',
  gapWaitMs: 'LEDGER_AUDIT_GAP_WAIT_MS',
} as const satisfies Record<keyof AuditLimits, string>;

export const defaultAuditLimits: AuditLimits = {
  accountsMax: auditAccountsMaxDefault,
  pendingLegsMax: auditPendingLegsMaxDefault,
  eventIdsMax: auditEventIdsMaxDefault,
  transferIdsMax: auditTransferIdsMaxDefault,
  pendingTransfersMax: auditPendingTransfersMaxDefault,
  gapWaitMs: auditGapWaitMsDefault,
};

/** The limits in force, each checked against its bounds; throws naming the bad variable. */
export function readAuditLimits(env: NodeJS.ProcessEnv = process.env): AuditLimits {
  const count = (key: Exclude<keyof AuditLimits, 'gapWaitMs'>) =>
    intFromEnv(env, auditLimitVariables[key], defaultAuditLimits[key], {
      min: 1,
      max: countLimitMax,
    });
  return {
    accountsMax: count('accountsMax'),
    pendingLegsMax: count('pendingLegsMax'),
    eventIdsMax: count('eventIdsMax'),
    transferIdsMax: count('transferIdsMax'),
    pendingTransfersMax: count('pendingTransfersMax'),
    gapWaitMs: intFromEnv(env, auditLimitVariables.gapWaitMs, auditGapWaitMsDefault, {
      min: 1_000,
      max: 3_600_000,
    }),
  };
}
