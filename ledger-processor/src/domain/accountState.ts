import type { Metadata } from './commands.ts';

/** `frozen` and `closed` accounts take no postings (`account_closed`, docs/contract.md). */
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
  readonly metadata: Metadata;
  readonly createdAtMs: number;
  readonly openedByCommandId: string;
  readonly openRequestHash: string;
}
