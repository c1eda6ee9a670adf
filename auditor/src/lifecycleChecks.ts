import { accountChangeRejectionCodes } from '@ledger/runtime';
import type {
  AccountChange,
  AccountChanged,
  AccountChangeRejected,
  AccountStatus,
  LedgerEvent,
} from '@ledger/schemas';
import { checkEntries, closeProblem, endFrozen } from './accountStatusChecks.ts';
import {
  ok,
  violated,
  type AccountLife,
  type AuditState,
  type CheckResult,
  type EventRef,
  type Violation,
} from './auditTypes.ts';

/**
 * What the log proves about account lifecycles (schema v4): an account opens `open` at revision 1;
 * each AccountChanged is its next revision and a change its status before allows, at a version
 * that fits among the account's entries; an AccountChangeRejected's code is what its account's
 * state then called for; entries that move money or hold fall at versions where their accounts
 * were open (accountStatusChecks.ts).
 *
 * Revisions, statuses and refusals are questions of decision order, so every event passes through
 * here once, in the order it was decided: its chain's (chainChecks.ts calls this as each link
 * follows), or, for an event before chains, its partition's, as it is read. An account's
 * AccountOpened, changes, rejections, debits, holds and their settlements are all keyed by it,
 * hence all in one chain: among them this order is exact, and it orders a change's version
 * against its own entries'. Credits from other chains are placed by their versions alone.
 */
export function checkInDecisionOrder(
  state: AuditState,
  event: LedgerEvent,
  ref: EventRef,
): CheckResult {
  const domain = event.chain === undefined ? `p${ref.partition}` : `c${event.chain.chain}`;
  const { payload } = event;
  switch (payload.type) {
    case 'AccountOpened':
      return opened(state, payload.accountId, domain);
    case 'TransferPosted':
    case 'PendingPosted':
      return checkEntries(state, ref, domain, payload, [
        { accountId: payload.fromAccountId, side: 'debit', version: payload.debit.version },
        { accountId: payload.toAccountId, side: 'credit', version: payload.credit.version },
      ]);
    case 'TransferPending':
      // The payee has no entry yet, but a hold to a frozen or closed account is refused too.
      return checkEntries(state, ref, domain, payload, [
        { accountId: payload.fromAccountId, side: 'hold', version: payload.debit.version },
        { accountId: payload.toAccountId, side: 'payee', version: undefined },
      ]);
    case 'PendingVoided':
      return checkEntries(state, ref, domain, payload, [
        { accountId: payload.fromAccountId, side: 'release', version: payload.debit.version },
      ]);
    case 'AccountChanged':
      return checkChanged(state, ref, domain, payload);
    case 'AccountChangeRejected':
      return checkChangeRejected(state, ref, domain, payload);
    // Refusals change no account: nothing to order.
    case 'TransferRejected':
    case 'SettlementRejected':
    case 'AccountOpenRejected':
      return ok(state);
  }
}

/**
 * The status a change leaves an account in, undefined when its status before does not allow it:
 * freeze only an open account, unfreeze only a frozen one, close either, update metadata on either
 * (keeping the status); nothing changes a closed account. The processor's rule, restated here so
 * that the audit does not trust the code it audits.
 */
export function statusAfter(
  change: AccountChange,
  before: AccountStatus,
): AccountStatus | undefined {
  if (before === 'closed') return undefined;
  switch (change) {
    case 'freeze':
      return before === 'open' ? 'frozen' : undefined;
    case 'unfreeze':
      return before === 'frozen' ? 'open' : undefined;
    case 'close':
      return 'closed';
    case 'update_metadata':
      return before;
  }
}

/** The book exists: checkOpened made it when the event was read (a second opening stops there). */
function opened(state: AuditState, accountId: string, home: string): CheckResult {
  const book = state.accounts.get(accountId);
  if (book !== undefined) {
    book.life = {
      status: 'open',
      revision: 1,
      home,
      orderedVersion: 1,
      changed: undefined,
      frozen: undefined,
      closed: undefined,
    };
  }
  return ok(state);
}

function checkChanged(
  state: AuditState,
  ref: EventRef,
  domain: string,
  changed: AccountChanged,
): CheckResult {
  const { accountId, change, revision } = changed;
  const book = state.accounts.get(accountId);
  const life = book?.life;
  if (book === undefined || life === undefined) {
    return violated({
      kind: 'change_without_account',
      event: ref,
      accountId,
      expected: 'the account opened before its first change (its AccountOpened, in the same order)',
      found: `${aChange(change)} of an account not opened`,
    });
  }
  life.home = domain;
  if (revision !== life.revision + 1) {
    return violated({
      kind: revision > life.revision ? 'revision_gap' : 'revision_reused',
      event: ref,
      accountId,
      expected: `revision ${life.revision + 1} after ${life.revision}: one per applied change`,
      found:
        revision > life.revision
          ? `revision ${revision}: no change at ${rangeText(life.revision + 1, revision - 1)}`
          : `revision ${revision}, which the account already had`,
    });
  }
  const after = statusAfter(change, life.status);
  if (after === undefined || after !== changed.status) {
    return violated({
      kind: 'invalid_transition',
      event: ref,
      accountId,
      expected: transitionRule(change),
      found:
        after === undefined
          ? `${aChange(change)} of a ${life.status} account${life.status === 'closed' ? ' (closed is final)' : ''}`
          : `${aChange(change)} of a ${life.status} account leaving it ${changed.status}, not ${after}`,
    });
  }
  const misplaced = versionProblem(accountId, life, changed, ref);
  if (misplaced !== undefined) return violated(misplaced);
  life.status = after;
  life.revision = revision;
  life.orderedVersion = changed.version;
  life.changed = { version: changed.version, ref };
  state.accountChanges.set(change, (state.accountChanges.get(change) ?? 0) + 1);
  if (change === 'freeze') {
    // Entries from other chains seen above its version: the highest is a witness until it ends.
    const seen = book.unordered;
    const witness = seen !== undefined && seen.version > changed.version ? seen : undefined;
    life.frozen = { since: changed.version, ref, releases: 0, witness };
    return ok(state);
  }
  if (change === 'update_metadata') return ok(state);
  const ended = endFrozen(accountId, life, changed.version, ref);
  if (ended !== undefined) return violated(ended);
  if (change === 'unfreeze') return ok(state);
  life.closed = { version: changed.version, ref };
  const closed = closeProblem(accountId, book);
  return closed === undefined ? ok(state) : violated(closed);
}

/**
 * The account's version at the change (which the change leaves as it was): at least that of every
 * entry and change decided before it in its order. Credits from other chains may have raised it
 * further; each entry decided after it in its order must be higher (accountStatusChecks.ts), and
 * the account must reach it by the end of the run.
 */
function versionProblem(
  accountId: string,
  life: AccountLife,
  changed: AccountChanged,
  ref: EventRef,
): Violation | undefined {
  if (Number.isSafeInteger(changed.version) && changed.version >= life.orderedVersion) {
    return undefined;
  }
  return {
    kind: 'change_version_mismatch',
    event: ref,
    accountId,
    expected: `${aChange(changed.change)} at version ${life.orderedVersion} or above: the account's entries and changes decided before it reached it`,
    found: `version ${changed.version}`,
  };
}

/**
 * A refusal changes nothing, but its code must be what the account's state called for, in the
 * processor's order (runtime's accountChangeRejectionCodes): account_not_found exactly when no
 * AccountOpened came before it; account_closed exactly when it is closed; account_status_conflict
 * only when the status forbids the change; account_not_empty only for a close. Whether a
 * revision_conflict was right depends on the expectedRevision of a command the log does not hold,
 * and whether the account was empty on one's balance at a moment that credits from other chains
 * make uncertain (README.md): those are not checked.
 */
function checkChangeRejected(
  state: AuditState,
  ref: EventRef,
  domain: string,
  rejected: AccountChangeRejected,
): CheckResult {
  const { accountId, change, code } = rejected;
  const life = state.accounts.get(accountId)?.life;
  if (life !== undefined) life.home = domain;
  const wrong = rejectionProblem(change, code, life);
  if (wrong === undefined) return ok(state);
  return violated({
    kind: 'change_rejection_mismatch',
    event: ref,
    accountId,
    expected: wrong,
    found:
      life === undefined
        ? `${code} for ${aChange(change)} of an account not opened`
        : `${code} for ${aChange(change)} of a ${life.status} account at revision ${life.revision}`,
  });
}

/** What the code should have been, or undefined when it fits. */
function rejectionProblem(
  change: AccountChange,
  code: string,
  life: AccountLife | undefined,
): string | undefined {
  if (!(accountChangeRejectionCodes as readonly string[]).includes(code)) {
    return `one of ${accountChangeRejectionCodes.join(', ')}`;
  }
  if (life === undefined) {
    return code === 'account_not_found' ? undefined : 'account_not_found: it was not opened';
  }
  if (code === 'account_not_found') return 'no account_not_found: it was opened before';
  if ((life.status === 'closed') !== (code === 'account_closed')) {
    return life.status === 'closed'
      ? 'account_closed: every change of a closed account is refused so'
      : 'no account_closed: the account was not closed';
  }
  if (code === 'account_status_conflict' && statusAfter(change, life.status) !== undefined) {
    return `no account_status_conflict: a ${life.status} account allows ${aChange(change)}`;
  }
  if (code === 'account_not_empty' && change !== 'close') {
    return 'account_not_empty only for a close';
  }
  return undefined;
}

function transitionRule(change: AccountChange): string {
  switch (change) {
    case 'freeze':
      return 'a freeze of an open account, leaving it frozen';
    case 'unfreeze':
      return 'an unfreeze of a frozen account, leaving it open';
    case 'close':
      return 'a close of an open or frozen account, leaving it closed';
    case 'update_metadata':
      return 'a metadata update of an open or frozen account, leaving its status as it was';
  }
}

/** `a freeze`, `an unfreeze`: how a change is named in a message. */
const aChange = (change: AccountChange): string =>
  `${change.startsWith('u') ? 'an' : 'a'} ${change}`;

const rangeText = (from: number, to: number): string => (from === to ? `${from}` : `${from}–${to}`);
