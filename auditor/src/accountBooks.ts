import {
  ok,
  positionText,
  violated,
  type AccountBook,
  type AuditState,
  type CheckResult,
  type PendingLeg,
  type Violation,
} from './auditTypes.ts';
import { closedBalanceProblem } from './accountStatusChecks.ts';
import { settleHold } from './settlementChecks.ts';

/**
 * Per-account versions, running balances and running held amounts (what pending transfers
 * reserve). An account's legs can arrive out of version order: a credit leg lives in the debtor's
 * partition, which the reader may reach before the credited account's own partition (or the
 * partition of another debtor) delivers the version before it. So every leg is buffered under its
 * version and applied once its account reaches the version before it; a version that never comes
 * is a gap, declared only by findGap (at the end of a run, or after a bounded wait when
 * following).
 */

/** The account's book, created empty when first named; undefined when accountsMax is reached. */
export function bookOf(state: AuditState, accountId: string): AccountBook | undefined {
  const book = state.accounts.get(accountId);
  if (book !== undefined) return book;
  if (state.accounts.size >= state.limits.accountsMax) return undefined;
  const created: AccountBook = {
    opened: undefined,
    version: 0,
    balance: 0n,
    held: 0n,
    pending: new Map(),
    life: undefined,
    unordered: undefined,
  };
  state.accounts.set(accountId, created);
  return created;
}

export function accountsLimit(state: AuditState): CheckResult {
  return {
    outcome: 'limit',
    limit: 'accountsMax',
    detail: `more than ${state.limits.accountsMax} accounts`,
  };
}

/** Buffers one leg under its version, then applies whatever of its account is now in order. */
export function enqueueLeg(state: AuditState, accountId: string, leg: PendingLeg): CheckResult {
  const book = bookOf(state, accountId);
  if (book === undefined) return accountsLimit(state);
  const claimed = book.pending.get(leg.version);
  if (leg.version < 2 || leg.version <= book.version || claimed !== undefined) {
    return violated({
      kind: 'version_reused',
      event: leg.ref,
      accountId,
      expected: `a version above ${Math.max(book.version, 1)} that no other leg holds`,
      found:
        `${leg.side} leg of transfer ${leg.transferId} at version ${leg.version}` +
        (claimed === undefined
          ? book.version >= leg.version
            ? `, which the account already reached`
            : ''
          : `, also held by the event at ${positionText(claimed.ref)}`),
    });
  }
  if (state.pendingLegs >= state.limits.pendingLegsMax) {
    return {
      outcome: 'limit',
      limit: 'pendingLegsMax',
      detail: `more than ${state.limits.pendingLegsMax} legs wait for an earlier version`,
    };
  }
  book.pending.set(leg.version, leg);
  state.pendingLegs += 1;
  state.waiting.add(accountId);
  return applyInOrder(state, accountId, book);
}

/**
 * Applies the account's buffered legs for as long as the next version is there: each moves the
 * running balance by its delta and the running held amount by its held delta, and must leave at
 * least −overdraftLimit available (balance − held); at a closed account's close version, balance
 * 0 and nothing held.
 */
export function applyInOrder(state: AuditState, accountId: string, book: AccountBook): CheckResult {
  const opened = book.opened;
  if (opened === undefined) return ok(state);
  for (;;) {
    const leg = book.pending.get(book.version + 1);
    if (leg === undefined) break;
    book.pending.delete(leg.version);
    state.pendingLegs -= 1;
    if (leg.currency !== opened.currency) {
      return violated({
        kind: 'currency_mismatch',
        event: leg.ref,
        accountId,
        expected: `${leg.side} leg of transfer ${leg.transferId} in ${opened.currency}, the account's currency`,
        found: leg.currency,
      });
    }
    // A settlement is checked when its entry applies: its hold is an earlier entry of the same
    // account, so it has been read by now, whatever order the partitions were read in.
    if (leg.settles !== undefined) {
      const settled = settleHold(state, leg, leg.settles);
      if (settled.outcome !== 'ok') return settled;
    }
    const balance = book.balance + leg.delta;
    const held = book.held + leg.heldDelta;
    const wrong = wrongEntry(book, leg, { balance, held, limit: opened.overdraftLimit });
    if (wrong !== undefined) return violated({ ...wrong, event: leg.ref, accountId });
    book.balance = balance;
    book.held = held;
    book.version = leg.version;
    const sum = state.balanceSumByCurrency.get(leg.currency) ?? 0n;
    state.balanceSumByCurrency.set(leg.currency, sum + leg.delta);
    // The version its close was decided at, if that came first (accountStatusChecks.ts).
    if (book.life?.closed?.version === leg.version) {
      const closed = closedBalanceProblem(accountId, book);
      if (closed !== undefined) return violated(closed);
    }
  }
  if (book.pending.size === 0) state.waiting.delete(accountId);
  return ok(state);
}

type Wrong = Pick<Violation, 'kind' | 'expected' | 'found'>;

/** What is wrong with applying `leg` to the book, given the balance and held it should leave. */
function wrongEntry(
  book: AccountBook,
  leg: PendingLeg,
  { balance, held, limit }: { balance: bigint; held: bigint; limit: bigint },
): Wrong | undefined {
  if (leg.balanceAfter !== balance) return balanceMismatch(book, leg, balance);
  if (leg.heldAfter !== held || held < 0n) return heldMismatch(book, leg, held);
  if (balance < -limit) {
    return {
      kind: 'overdraft_exceeded',
      expected: `a balance of at least −${limit} (the overdraft limit)`,
      found: `balanceAfter ${balance} at version ${leg.version}`,
    };
  }
  if (balance - held < -limit) {
    return {
      kind: 'available_below_overdraft',
      expected: `an available balance (balance − held) of at least −${limit} (the overdraft limit)`,
      found: `${balance} − ${held} held = ${balance - held} after the ${leg.side} leg of transfer ${leg.transferId} at version ${leg.version}`,
    };
  }
  return undefined;
}

function balanceMismatch(book: AccountBook, leg: PendingLeg, expected: bigint): Wrong {
  const moved = leg.balanceAfter - book.balance;
  return {
    kind: 'balance_mismatch',
    expected: `${leg.side} leg of transfer ${leg.transferId} at version ${leg.version}: balanceAfter ${expected} (${book.balance} ${signed(leg.delta)})`,
    found:
      leg.side === 'hold' || leg.side === 'release'
        ? `balanceAfter ${leg.balanceAfter}: a ${leg.side} moves no money, this one moved ${moved}`
        : `balanceAfter ${leg.balanceAfter}: the leg moved ${moved} instead of ${leg.delta}, so the transfer's legs sum to ${moved - leg.delta}, not 0`,
  };
}

function heldMismatch(book: AccountBook, leg: PendingLeg, expected: bigint): Wrong {
  const at = `${leg.side} leg of transfer ${leg.transferId} at version ${leg.version}`;
  if (expected < 0n) {
    return {
      kind: 'held_mismatch',
      expected: `${at}: a held amount of at least 0`,
      found: `it releases ${abs(leg.heldDelta)} of the ${book.held} held`,
    };
  }
  return {
    kind: 'held_mismatch',
    expected: `${at}: heldAfter ${expected} (${book.held} ${signed(leg.heldDelta)})`,
    found: `heldAfter ${leg.heldAfter}`,
  };
}

/**
 * An account that waits for a version that did not come: among the accounts whose lowest pending
 * leg was read before `receivedBeforeMs` (all of them at the end of a bounded run), the one whose
 * leg comes first in (partition, offset) order. Undefined when none waits that long.
 */
export function findGap(
  state: AuditState,
  receivedBeforeMs = Number.POSITIVE_INFINITY,
): CheckResult | undefined {
  let oldest: { accountId: string; book: AccountBook; leg: PendingLeg } | undefined;
  for (const accountId of state.waiting) {
    const book = state.accounts.get(accountId);
    if (book === undefined) continue;
    const leg = lowestPending(book);
    if (leg === undefined || leg.receivedAtMs >= receivedBeforeMs) continue;
    if (oldest === undefined || earlier(leg, oldest.leg)) oldest = { accountId, book, leg };
  }
  if (oldest === undefined) return undefined;
  const { accountId, book, leg } = oldest;
  return violated({
    kind: 'version_gap',
    event: leg.ref,
    accountId,
    expected:
      book.opened === undefined
        ? `the account's AccountOpened (version 1) before version ${leg.version}`
        : `version ${book.version + 1} after version ${book.version}`,
    found:
      `${leg.side} leg of transfer ${leg.transferId} at version ${leg.version}, and no event ` +
      `with the version${leg.version - book.version > 2 ? 's' : ''} between`,
  });
}

function lowestPending(book: AccountBook): PendingLeg | undefined {
  let lowest: PendingLeg | undefined;
  for (const leg of book.pending.values()) {
    if (lowest === undefined || leg.version < lowest.version) lowest = leg;
  }
  return lowest;
}

/** By partition, then offset, not by reading time: the same log names the same gap every run. */
function earlier(a: PendingLeg, b: PendingLeg): boolean {
  if (a.ref.partition !== b.ref.partition) return a.ref.partition < b.ref.partition;
  return BigInt(a.ref.offset) < BigInt(b.ref.offset);
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

/** `+ 5`, `− 5`: how a change is written after the value it changes. */
const signed = (delta: bigint): string => `${delta < 0n ? '−' : '+'} ${abs(delta)}`;
