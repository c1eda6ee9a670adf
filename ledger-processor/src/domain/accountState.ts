import type { AccountChangeKind, Metadata } from './commands.ts';

/**
 * `frozen` and `closed` accounts take no postings and no new holds (`account_closed`,
 * docs/contract.md); a hold on a frozen account may still be voided or expire. Closed is final.
 */
export type AccountStatus = 'open' | 'frozen' | 'closed';

/**
 * One account as the deciders see it: the row of `accounts` (infra/migrations) as plain data.
 * The opening command's id and request hash are part of it because an OpenAccount is idempotent
 * by accountId: a repeat with the same hash replays the first outcome, another hash is
 * account_exists.
 */
export interface AccountState {
  readonly accountId: string;
  readonly currency: string;
  readonly overdraftLimit: bigint;
  readonly status: AccountStatus;
  /** Minor units; never below −overdraftLimit, |balance| ≤ balanceMax (bounds.ts). */
  readonly balance: bigint;
  /**
   * What its pending transfers hold (minor units, ≥ 0). What it may still spend is its available
   * balance, balance − held, never below −overdraftLimit.
   */
  readonly held: bigint;
  /** 1 when opened, +1 per entry (a posting, a hold, a hold's release), no gaps (docs/contract.md). */
  readonly version: number;
  /**
   * The account's settings version: 1 when opened, +1 per accepted change (freeze, unfreeze,
   * close, metadata update), no gaps; entries leave it alone, as changes leave `version` alone.
   */
  readonly revision: number;
  readonly metadata: Metadata;
  readonly createdAtMs: number;
  readonly openedByCommandId: string;
  readonly openRequestHash: string;
}

/**
 * The status a change leaves an account in, or undefined when the change does not apply to the
 * status it finds (account_status_conflict; a closed account takes no change at all). The one
 * home of the transition rule: the decider decides with it and evolve re-checks with it.
 */
export function statusAfter(
  change: AccountChangeKind,
  status: AccountStatus,
): AccountStatus | undefined {
  if (status === 'closed') return undefined;
  switch (change) {
    case 'freeze':
      return status === 'open' ? 'frozen' : undefined;
    case 'unfreeze':
      return status === 'frozen' ? 'open' : undefined;
    case 'close':
      return 'closed';
    case 'update_metadata':
      return status;
  }
}
