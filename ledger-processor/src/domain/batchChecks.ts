import { invariant } from './invariant.ts';
import type { AccountState } from './accountState.ts';
import { amountMax, balanceMax, versionMax } from './bounds.ts';
import type { AccountChangeRecord, JournalLine } from './records.ts';
import { accountChangeKeyOf, type SnapshotKeys } from './snapshot.ts';

/**
 * What the batch ledger asserts: of a snapshot before it decides against it, that it was looked
 * up with every key the batch needs and that each stored account is one the deciders could have
 * left behind (anything else was corrupted on the way in); of the batch's rows before they are
 * written, that they add up to the accounts' new states.
 */

type Accounts = ReadonlyMap<string, AccountState>;

export function assertCovers(loaded: SnapshotKeys, needed: SnapshotKeys): void {
  const pairs = [
    ['account', loaded.accountIds, needed.accountIds],
    ['idempotency key', loaded.idempotencyKeys, needed.idempotencyKeys],
    ['transfer id', loaded.transferIds, needed.transferIds],
    ['command id', loaded.commandIds, needed.commandIds],
    ['reversed transfer', loaded.reversalsOf, needed.reversalsOf],
    ['settled transfer', loaded.settlementsOf, needed.settlementsOf],
    [
      'account change key',
      loaded.accountChangeKeys.map(accountChangeKeyOf),
      needed.accountChangeKeys.map(accountChangeKeyOf),
    ],
  ] as const;
  for (const [what, have, want] of pairs) {
    const set = new Set(have);
    for (const key of want)
      invariant(set.has(key), () => `the snapshot did not look up ${what} ${key}`);
  }
}

/** What a stored account must satisfy; anything else was corrupted on the way in. */
export function assertStoredAccount(account: AccountState): void {
  const id = account.accountId;
  invariant(
    account.overdraftLimit >= 0n && account.overdraftLimit <= amountMax,
    () => `${id}: overdraft`,
  );
  invariant(account.held >= 0n, () => `${id} holds ${account.held}`);
  invariant(
    account.balance - account.held >= -account.overdraftLimit,
    () => `${id} has less available than its overdraft limit allows`,
  );
  invariant(account.balance <= balanceMax, () => `${id} is above balanceMax`);
  invariant(
    Number.isSafeInteger(account.version) && account.version >= 1 && account.version <= versionMax,
    () => `${id} has version ${account.version}`,
  );
  invariant(
    Number.isSafeInteger(account.revision) &&
      account.revision >= 1 &&
      account.revision <= versionMax,
    () => `${id} has revision ${account.revision}`,
  );
  // accounts_closed_empty (0018): nothing could ever release what a closed account holds.
  invariant(
    account.status !== 'closed' || (account.balance === 0n && account.held === 0n),
    () => `${id} is closed but not empty`,
  );
}

/**
 * Double-entry over the batch's journal: its lines sum to zero, and each touched account moved by
 * exactly its lines (balance and held amount), one version per line, without gaps.
 */
export function assertBatchBalanced(
  journal: readonly JournalLine[],
  initial: Accounts,
  accounts: Accounts,
): void {
  let total = 0n;
  const linesByAccount = new Map<string, JournalLine[]>();
  for (const line of journal) {
    total += line.amount;
    const lines = linesByAccount.get(line.accountId) ?? [];
    lines.push(line);
    linesByAccount.set(line.accountId, lines);
  }
  invariant(total === 0n, () => `the batch's journal sums to ${total}, not 0`);
  for (const [accountId, lines] of linesByAccount) {
    const before = initial.get(accountId);
    let balance = before?.balance ?? 0n;
    let held = before?.held ?? 0n;
    let version = before?.version ?? 1;
    for (const line of lines) {
      balance += line.amount;
      held += line.heldChange;
      version += 1;
      invariant(line.heldAfter === held, () => `${accountId}: line held is not the running sum`);
      invariant(
        line.version === version,
        () => `${accountId}: line version ${line.version} ≠ ${version}`,
      );
      invariant(
        line.balanceAfter === balance,
        () => `${accountId}: line balance is not the running sum`,
      );
    }
    const after = accounts.get(accountId);
    invariant(
      after !== undefined &&
        after.version === version &&
        after.balance === balance &&
        after.held === held,
      () => `${accountId} drifted`,
    );
  }
}

/** Each account's change rows continue its revision by 1, without gaps, to where it is now. */
export function assertBatchRevisions(
  changes: readonly AccountChangeRecord[],
  initial: Accounts,
  accounts: Accounts,
): void {
  const revisions = new Map<string, number>();
  for (const change of changes) {
    const { accountId } = change;
    const before = revisions.get(accountId) ?? initial.get(accountId)?.revision ?? 1;
    invariant(
      change.revision === before + 1,
      () => `${accountId}: change to revision ${change.revision} after ${before}`,
    );
    revisions.set(accountId, change.revision);
  }
  for (const [accountId, state] of accounts) {
    const expected = revisions.get(accountId) ?? initial.get(accountId)?.revision ?? 1;
    invariant(state.revision === expected, () => `${accountId}: revision drifted`);
  }
}
