import {
  ok,
  violated,
  type AccountBook,
  type AccountLife,
  type AuditState,
  type CheckResult,
  type EntryMark,
  type EventRef,
  type FrozenSpan,
  type Violation,
} from './auditTypes.ts';

/**
 * Frozen and closed accounts take no postings and no new holds (schema v4), proven by versions.
 * An account's versions are global: every entry on it, debit or credit, from any chain, takes the
 * next one, and an AccountChanged carries the version the account was at (a change moves none).
 * So a change sits exactly among all the account's entries: the account is blocked at the
 * versions above a freeze's up to the next unfreeze's, and at every version above a close's. An
 * entry there is `account_not_open`, except a release (a void or an expiry) while frozen.
 *
 * Entries reach here in their chains' orders (lifecycleChecks.ts). Those in the account's own
 * order (keyed by it, or by a debtor of the same chain) come exactly between its changes: one
 * decided while it is frozen or closed is named at once. A credit from another chain may come
 * before or after the change it falls behind, so both sides are checked:
 * - a close at `c`: an entry seen above `c` before the close (`book.unordered`, the highest), or
 *   one seen above `c` after it, is named;
 * - a freeze at `s` ended (unfreeze or close) at `u`: versions s+1 … u were all decided while it
 *   was frozen, and its own releases decided meanwhile are the only ones allowed. Any more means
 *   an entry from another chain inside (named if seen, `witness`; else the end is named). A
 *   freeze not ended is checked at the end of the run against the account's last version.
 * An ended span needs no memory: whatever could still arrive inside it has been counted.
 */

/** One account an event touches, with its entry's version (none for a hold's payee). */
export interface Touch {
  readonly accountId: string;
  readonly side: 'debit' | 'credit' | 'hold' | 'release' | 'payee';
  readonly version: number | undefined;
}

export function checkEntries(
  state: AuditState,
  ref: EventRef,
  domain: string,
  transfer: { readonly transferId: string; readonly fromAccountId: string },
  touches: readonly Touch[],
): CheckResult {
  for (const touch of touches) {
    const problem = touchProblem(state, ref, domain, transfer, touch);
    if (problem !== undefined) return violated(problem);
  }
  return ok(state);
}

function touchProblem(
  state: AuditState,
  ref: EventRef,
  domain: string,
  transfer: { readonly transferId: string; readonly fromAccountId: string },
  touch: Touch,
): Violation | undefined {
  const book = state.accounts.get(touch.accountId);
  if (book === undefined) return undefined; // a hold's payee never named by a leg
  const life = book.life;
  // Keyed by its debtor: the debtor's own event, in the same order as its changes.
  if (life !== undefined && touch.accountId === transfer.fromAccountId) life.home = domain;
  const own = life !== undefined && life.home === domain ? life : undefined;
  if (touch.side === 'payee' || touch.version === undefined) {
    // A hold's payee has no entry: its status is known only in its own order.
    if (own === undefined || own.status === 'open') return undefined;
    const what = `the payee of pending transfer ${transfer.transferId}`;
    return notOpen(touch.accountId, ref, what, statusText(own));
  }
  const { transferId } = transfer;
  const entry: EntryMark = { version: touch.version, ref, side: touch.side, transferId };
  return own === undefined
    ? unorderedProblem(touch.accountId, book, entry)
    : orderedProblem(touch.accountId, own, entry);
}

/** An entry in the account's own order: after its latest change, in the status that left. */
function orderedProblem(
  accountId: string,
  life: AccountLife,
  entry: EntryMark,
): Violation | undefined {
  const changed = life.changed;
  if (changed !== undefined && entry.version <= changed.version) {
    return {
      kind: 'change_version_mismatch',
      event: entry.ref,
      accountId,
      expected: `${entryText(entry)}: a version above ${changed.version}, the version of the account's change decided before it`,
      found: `version ${entry.version}: the change's version is past entries decided after it`,
    };
  }
  if (entry.version > life.orderedVersion) life.orderedVersion = entry.version;
  if (life.status === 'open') return undefined;
  if (life.frozen !== undefined && entry.side === 'release') {
    life.frozen.releases += 1;
    return undefined;
  }
  return notOpen(accountId, entry.ref, entryText(entry), statusText(life));
}

/** An entry decided in another chain: placed against the account's changes by its version. */
function unorderedProblem(
  accountId: string,
  book: AccountBook,
  entry: EntryMark,
): Violation | undefined {
  if (book.unordered === undefined || entry.version > book.unordered.version) {
    book.unordered = entry;
  }
  const closed = book.life?.closed;
  if (closed !== undefined && entry.version > closed.version) {
    return notOpen(accountId, entry.ref, entryText(entry), closedText(closed.version));
  }
  const frozen = book.life?.frozen;
  if (frozen !== undefined && entry.version > frozen.since) {
    // Inside the span unless an unfreeze below its version is still to come: kept as a witness.
    if (frozen.witness === undefined || entry.version < frozen.witness.version) {
      frozen.witness = entry;
    }
  }
  return undefined;
}

/**
 * A close at `version`: no entry seen from another chain may be above it, and the balance after
 * its entry at that version must be 0 with nothing held (checked now when the account's applied
 * version is that one, else as it is applied: accountBooks.ts; one already past it means an entry
 * past the close, named when its event is).
 */
export function closeProblem(accountId: string, book: AccountBook): Violation | undefined {
  const closed = book.life?.closed;
  if (closed === undefined) return undefined;
  const past = book.unordered;
  if (past !== undefined && past.version > closed.version) {
    return notOpen(accountId, past.ref, entryText(past), closedText(closed.version));
  }
  return book.version === closed.version ? closedBalanceProblem(accountId, book) : undefined;
}

/** The book just reached its close's version: nothing may be left there. */
export function closedBalanceProblem(accountId: string, book: AccountBook): Violation | undefined {
  const closed = book.life?.closed;
  if (closed === undefined || (book.balance === 0n && book.held === 0n)) return undefined;
  return {
    kind: 'closed_with_balance',
    event: closed.ref,
    accountId,
    expected: `a close at version ${closed.version} with balance 0 and nothing held at that version`,
    found: `balance ${book.balance} and ${book.held} held at version ${book.version}`,
  };
}

/**
 * A freeze ends (an unfreeze or a close) at version `until`: its versions since are its own
 * releases decided meanwhile, and nothing else.
 */
export function endFrozen(accountId: string, life: AccountLife, until: number, ref: EventRef) {
  const frozen = life.frozen;
  life.frozen = undefined;
  if (frozen === undefined) return undefined;
  return spanProblem(accountId, frozen, until, ref);
}

function spanProblem(
  accountId: string,
  frozen: FrozenSpan,
  until: number,
  end: EventRef | undefined,
): Violation | undefined {
  const { since, releases, witness } = frozen;
  const others = until - since - releases;
  if (others <= 0) return undefined;
  const span =
    end === undefined
      ? `frozen from version ${since} on (no unfreeze; its last version is ${until})`
      : `frozen from version ${since} to ${until}`;
  if (witness !== undefined && witness.version <= until) {
    return notOpen(accountId, witness.ref, entryText(witness), `the account was ${span}`);
  }
  return {
    kind: 'account_not_open',
    event: end ?? frozen.ref,
    accountId,
    expected: `versions ${since + 1}–${until}, decided while the account was ${span}, all its own releases`,
    found: `${releases} were: ${others} more (credits decided in other chains) moved money while it was frozen`,
  };
}

/**
 * The end of a run: every change's version was reached (the latest is the highest), and a freeze
 * still in force holds nothing but its own releases up to the account's last version. The first
 * in (partition, offset) order is named, so the same log names the same event every run.
 */
export function finishLifecycle(state: AuditState): CheckResult {
  let first: Violation | undefined;
  for (const [accountId, book] of state.accounts) {
    const problem = finalProblem(accountId, book);
    if (problem?.event === undefined) continue;
    if (first?.event === undefined || earlier(problem.event, first.event)) first = problem;
  }
  return first === undefined ? ok(state) : violated(first);
}

function finalProblem(accountId: string, book: AccountBook): Violation | undefined {
  const life = book.life;
  if (life === undefined) return undefined;
  if (life.changed !== undefined && life.changed.version > book.version) {
    return {
      kind: 'change_version_mismatch',
      event: life.changed.ref,
      accountId,
      expected: `a version the account reached (its last is ${book.version})`,
      found: `version ${life.changed.version}`,
    };
  }
  return life.frozen === undefined
    ? undefined
    : spanProblem(accountId, life.frozen, book.version, undefined);
}

function notOpen(accountId: string, event: EventRef, what: string, found: string): Violation {
  return {
    kind: 'account_not_open',
    event,
    accountId,
    expected: what.startsWith('the release')
      ? `${what} on an open or frozen account (a closed one holds nothing)`
      : `${what} on an open account`,
    found,
  };
}

const statusText = (life: AccountLife): string =>
  `the account was ${life.status} (revision ${life.revision}) when it was decided`;

const closedText = (version: number): string =>
  `the account was closed at version ${version}: no entry may have a higher one`;

const entryText = (entry: EntryMark): string =>
  `the ${entry.side} at version ${entry.version} of transfer ${entry.transferId}`;

function earlier(a: EventRef, b: EventRef): boolean {
  if (a.partition !== b.partition) return a.partition < b.partition;
  return BigInt(a.offset) < BigInt(b.offset);
}
