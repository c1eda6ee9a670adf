import { assertNever, type DomainCommand } from './commands.ts';
import type { AccountState } from './accountState.ts';
import type {
  AccountChangeRecord,
  CommandOutcome,
  SettlementRecord,
  TransferRecord,
} from './records.ts';

/**
 * What a batch needs from Postgres, loaded before deciding (TigerBeetle's prefetch): the shell
 * calls `snapshotKeys`, looks the keys up (ledgerStore.ts `loadSnapshot`), and hands the rows
 * back with the keys it looked up, so the decider can assert that nothing it relies on was left
 * unloaded (an account missing because nobody asked for it would be decided as
 * account_not_found, forever).
 */
export interface SnapshotKeys {
  /**
   * Every account a command names, unique and ascending by UTF-16 code unit, which for the
   * contract's
   * ASCII ids is the byte order of `id COLLATE "C"`: lock them in this order
   * (`… ORDER BY id FOR UPDATE`) and processors never deadlock.
   */
  readonly accountIds: readonly string[];
  /** Transfers' idempotency keys: `transfers.idempotency_key`. */
  readonly idempotencyKeys: readonly string[];
  /** Transfers' ids: `transfers.transfer_id` (a transferId is taken whatever its key). */
  readonly transferIds: readonly string[];
  /** Every command id: `command_outcomes.command_id`, to recognise a redelivered command. */
  readonly commandIds: readonly string[];
  /**
   * The transfers reversals name (also among `transferIds`, so each is loaded): what their
   * posted reversals already took back is summed (`transfers.reversal_of`).
   */
  readonly reversalsOf: readonly string[];
  /**
   * The pending transfers settlements name (also among `transferIds`): how each was settled, if
   * it was (`pending_settlements`).
   */
  readonly settlementsOf: readonly string[];
  /**
   * Account changes' (accountId, idempotencyKey) pairs, ascending by accountId then key: the
   * account_changes rows with such a pair (its unique key), each with its command's outcome.
   * Empty unless the batch changes an account, so the shell may skip the query.
   */
  readonly accountChangeKeys: readonly AccountChangeKey[];
}

/** The identity of an account change for idempotency: the key is per account. */
export interface AccountChangeKey {
  readonly accountId: string;
  readonly idempotencyKey: string;
}

/** One string per pair; ids match idPattern, which has no '/', so distinct pairs stay distinct. */
export function accountChangeKeyOf(key: AccountChangeKey): string {
  return `${key.accountId}/${key.idempotencyKey}`;
}

/** How much of a transfer its posted reversals have taken back so far. */
export interface ReversedAmount {
  readonly transferId: string;
  readonly reversed: bigint;
}

/** A settlement decided by an earlier batch, with its command's outcome (joined on command_id). */
export interface PriorSettlement {
  readonly record: SettlementRecord;
  readonly outcome: CommandOutcome;
}

/** An accepted account change of an earlier batch, with its command's outcome (joined on command_id). */
export interface PriorAccountChange {
  readonly record: AccountChangeRecord;
  readonly outcome: CommandOutcome;
}

/** A transfer decided by an earlier batch, with its command's outcome (joined on command_id). */
export interface PriorTransfer {
  readonly record: TransferRecord;
  readonly outcome: CommandOutcome;
}

export interface BatchSnapshot {
  /** The keys the rows below were looked up with: must cover `snapshotKeys(commands)`. */
  readonly keys: SnapshotKeys;
  /** The existing accounts among `keys.accountIds`, read under the row lock. */
  readonly accounts: readonly AccountState[];
  /** Transfers whose idempotency key or transfer id is among the keys. */
  readonly priorTransfers: readonly PriorTransfer[];
  /** Outcomes already stored for the batch's command ids. */
  readonly priorOutcomes: readonly CommandOutcome[];
  /** Among `keys.reversalsOf`, those with posted reversals (absent: nothing reversed yet). */
  readonly reversedAmounts: readonly ReversedAmount[];
  /** Among `keys.settlementsOf`, those settled already. */
  readonly settlements: readonly PriorSettlement[];
  /** The account_changes rows whose (accountId, idempotencyKey) is among `keys.accountChangeKeys`. */
  readonly accountChanges: readonly PriorAccountChange[];
}

export function snapshotKeys(commands: readonly DomainCommand[]): SnapshotKeys {
  const accountIds = new Set<string>();
  const idempotencyKeys = new Set<string>();
  const transferIds = new Set<string>();
  const commandIds = new Set<string>();
  const reversalsOf = new Set<string>();
  const settlementsOf = new Set<string>();
  const accountChangeKeys = new Map<string, AccountChangeKey>();
  for (const command of commands) {
    commandIds.add(command.commandId);
    switch (command.type) {
      case 'OpenAccount':
        accountIds.add(command.accountId);
        break;
      case 'Transfer':
        accountIds.add(command.fromAccountId);
        accountIds.add(command.toAccountId);
        idempotencyKeys.add(command.idempotencyKey);
        transferIds.add(command.transferId);
        if (command.reversalOf !== undefined) {
          transferIds.add(command.reversalOf);
          reversalsOf.add(command.reversalOf);
        }
        break;
      case 'SettlePending':
        accountIds.add(command.fromAccountId);
        accountIds.add(command.toAccountId);
        transferIds.add(command.transferId);
        settlementsOf.add(command.transferId);
        break;
      case 'ChangeAccount': {
        accountIds.add(command.accountId);
        const key = { accountId: command.accountId, idempotencyKey: command.idempotencyKey };
        accountChangeKeys.set(accountChangeKeyOf(key), key);
        break;
      }
      default:
        assertNever(command, 'command');
    }
  }
  return {
    accountIds: [...accountIds].sort(),
    idempotencyKeys: [...idempotencyKeys].sort(),
    transferIds: [...transferIds].sort(),
    commandIds: [...commandIds].sort(),
    reversalsOf: [...reversalsOf].sort(),
    settlementsOf: [...settlementsOf].sort(),
    accountChangeKeys: [...accountChangeKeys.values()].sort(byAccountThenKey),
  };
}

/** An empty snapshot for `keys`: what a batch sees when nothing it names exists yet. */
export function emptySnapshot(keys: SnapshotKeys): BatchSnapshot {
  return {
    keys,
    accounts: [],
    priorTransfers: [],
    priorOutcomes: [],
    reversedAmounts: [],
    settlements: [],
    accountChanges: [],
  };
}

function byAccountThenKey(a: AccountChangeKey, b: AccountChangeKey): number {
  return (
    compareCodeUnits(a.accountId, b.accountId) ||
    compareCodeUnits(a.idempotencyKey, b.idempotencyKey)
  );
}

/** The order of `Array.prototype.sort()` without a comparator: UTF-16 code units. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
