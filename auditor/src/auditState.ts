import { createHash } from 'node:crypto';
import type {
  AccountOpened,
  LedgerEvent,
  TransferPosted,
  TransferRejected,
  AccountOpenRejected,
} from '@ledger/schemas';
import { accountsLimit, applyInOrder, bookOf, enqueueLeg, findGap } from './accountBooks.ts';
import { canonicalJson } from '@ledger/schemas';
import { chainHeads, checkChainLink, finishChains } from './chainChecks.ts';
import { finishLifecycle } from './accountStatusChecks.ts';
export { findChainGap } from './chainChecks.ts';
import {
  checkNotPending,
  checkPendingPosted,
  checkPendingVoided,
  checkSettlementRejected,
  checkTransferPending,
} from './pendingChecks.ts';
import { auditTotals, type AuditTotals } from './auditTotals.ts';
export type { AuditTotals } from './auditTotals.ts';
import {
  checkReversal,
  finishReversals,
  reversedPath,
  settleWaitingReversals,
} from './reversalChecks.ts';
import {
  ok,
  positionText,
  refOf,
  violated,
  type AuditInput,
  type AuditState,
  type CheckResult,
} from './auditTypes.ts';

export * from './auditTypes.ts';
export { findGap } from './accountBooks.ts';

/**
 * The auditor's pure core: what the event log alone proves, one event at a time, with no I/O,
 * clock or randomness (the reading time comes in with the event). The shell (auditRun.ts) reads
 * Kafka and feeds it; the tests feed it hand-built logs.
 *
 * Each event type is one case of `checkPayload` (what it says, as it is read) and one of
 * lifecycleChecks.ts `checkInDecisionOrder` (what it means in the order it was decided). A new
 * type adds its case to both and, where it moves balances or held amounts, its legs through
 * enqueueLeg (as pendingChecks.ts does for holds); the compiler's exhaustiveness check names the
 * switch that lacks it.
 */
export function checkEvent(state: AuditState, input: AuditInput): CheckResult {
  const { event } = input;
  const content = contentDigest(event);
  const seen = state.eventIds.get(event.eventId);
  if (seen !== undefined) {
    const [firstContent, firstAt] = seen.split('@');
    // The outbox republishes identical bytes after a crash (at-least-once): not a violation.
    if (firstContent === content) {
      state.identicalDuplicates += 1;
      return ok(state);
    }
    return violated({
      kind: 'event_id_reused',
      event: refOf(input),
      expected: `event ${event.eventId} once, or again with the same content (a republished duplicate)`,
      found: `other content under the id of the event at ${firstAt ?? '?'}`,
    });
  }
  if (state.eventIds.size >= state.limits.eventIdsMax) {
    return {
      outcome: 'limit',
      limit: 'eventIdsMax',
      detail: `more than ${state.limits.eventIdsMax} event ids`,
    };
  }
  state.eventIds.set(event.eventId, `${content}@${positionText(input.position)}`);
  const type = event.payload.type;
  state.eventsByType.set(type, (state.eventsByType.get(type) ?? 0) + 1);
  // What the event says is checked first, so a changed amount is named as the balance it
  // breaks; the chain then catches what no ledger rule would (a changed rejection, a dropped
  // event that moved nothing).
  const checked = checkPayload(state, input);
  if (checked.outcome !== 'ok') return checked;
  return checkChainLink(state, refOf(input), event, input.receivedAtMs);
}

function checkPayload(state: AuditState, input: AuditInput): CheckResult {
  const { payload } = input.event;
  switch (payload.type) {
    case 'AccountOpened':
      return checkOpened(state, input, payload);
    case 'TransferPosted':
      return checkPosted(state, input, payload);
    case 'TransferRejected':
      return checkRejected(state, input, payload);
    case 'AccountOpenRejected':
      return checkOpenRejected(state, input, payload);
    case 'TransferPending':
      return checkTransferPending(state, input, payload);
    case 'PendingPosted':
      return checkPendingPosted(state, input, payload);
    case 'PendingVoided':
      return checkPendingVoided(state, input, payload);
    case 'SettlementRejected':
      return checkSettlementRejected(state, input, payload);
    // A change moves no version, balance or held amount: what it proves depends on the order it
    // was decided in, checked as its chain link follows (lifecycleChecks.ts).
    case 'AccountChanged':
    case 'AccountChangeRejected':
      return ok(state);
  }
}

function checkOpened(state: AuditState, input: AuditInput, opened: AccountOpened): CheckResult {
  const ref = refOf(input);
  const book = bookOf(state, opened.accountId);
  if (book === undefined) return accountsLimit(state);
  if (book.opened !== undefined) {
    return violated({
      kind: 'account_opened_twice',
      event: ref,
      accountId: opened.accountId,
      expected: 'one AccountOpened per account',
      found: `a second one (the account is at version ${book.version})`,
    });
  }
  if (opened.version !== 1 || opened.balance !== 0n) {
    return violated({
      kind: 'opening_state',
      event: ref,
      accountId: opened.accountId,
      expected: 'version 1, balance 0',
      found: `version ${opened.version}, balance ${opened.balance}`,
    });
  }
  book.opened = { currency: opened.currency, overdraftLimit: opened.overdraftLimit };
  book.version = 1;
  book.balance = 0n;
  book.held = 0n;
  if (!state.balanceSumByCurrency.has(opened.currency)) {
    state.balanceSumByCurrency.set(opened.currency, 0n);
  }
  return applyInOrder(state, opened.accountId, book);
}

function checkPosted(state: AuditState, input: AuditInput, posted: TransferPosted): CheckResult {
  const ref = refOf(input);
  const { transferId, amount, currency, debit, credit } = posted;
  if (
    debit.accountId !== posted.fromAccountId ||
    credit.accountId !== posted.toAccountId ||
    posted.fromAccountId === posted.toAccountId ||
    amount <= 0n
  ) {
    return violated({
      kind: 'malformed_transfer',
      event: ref,
      expected:
        'a positive amount, the debit leg on fromAccountId, the credit leg on toAccountId, two accounts',
      found: `amount ${amount}, debit leg on ${sameAs(debit.accountId, posted)}, credit leg on ${sameAs(credit.accountId, posted)}`,
    });
  }
  const first = state.postedTransfers.get(transferId);
  if (first !== undefined) {
    return violated({
      kind: 'transfer_posted_twice',
      event: ref,
      expected: `transfer ${transferId} posted once (event ${first.at})`,
      found: `a second posting under event ${input.event.eventId}`,
    });
  }
  const pending = checkNotPending(state, input, transferId);
  if (pending.outcome !== 'ok') return pending;
  if (state.postedTransfers.size >= state.limits.transferIdsMax) {
    return {
      outcome: 'limit',
      limit: 'transferIdsMax',
      detail: `more than ${state.limits.transferIdsMax} posted transfers`,
    };
  }
  const record = {
    at: `${input.event.eventId}@${positionText(input.position)}`,
    amount,
    reversedPath: reversedPath(posted),
    reversed: 0n,
  };
  state.postedTransfers.set(transferId, record);
  // Reversals of this transfer read before it are checked now; a reversal is itself checked
  // against the transfer it names.
  const settled = settleWaitingReversals(state, transferId, record);
  if (settled.outcome !== 'ok') return settled;
  if (posted.reversalOf !== undefined) {
    const reversal = checkReversal(state, ref, { ...posted, reversalOf: posted.reversalOf });
    if (reversal.outcome !== 'ok') return reversal;
  }
  const totals = state.postedByCurrency.get(currency) ?? { transfers: 0, amount: 0n };
  totals.transfers += 1;
  totals.amount += amount;
  state.postedByCurrency.set(currency, totals);
  const leg = (side: 'debit' | 'credit', at: typeof debit) => ({
    version: at.version,
    side,
    transferId,
    delta: side === 'debit' ? -amount : amount,
    currency,
    heldDelta: 0n,
    balanceAfter: at.balanceAfter,
    heldAfter: at.heldAfter ?? 0n,
    ref,
    receivedAtMs: input.receivedAtMs,
  });
  const debited = enqueueLeg(state, debit.accountId, leg('debit', debit));
  if (debited.outcome !== 'ok') return debited;
  return enqueueLeg(state, credit.accountId, leg('credit', credit));
}

/** Which of the transfer's accounts an id is, without printing the id. */
function sameAs(accountId: string, posted: TransferPosted): string {
  if (accountId === posted.fromAccountId) return 'fromAccountId';
  if (accountId === posted.toAccountId) return 'toAccountId';
  return 'a third account';
}

/** A rejection moves nothing; its transfer id may be posted later under another command. */
function checkRejected(state: AuditState, _input: AuditInput, _event: TransferRejected) {
  return ok(state);
}

/** account_exists moves nothing. */
function checkOpenRejected(state: AuditState, _input: AuditInput, _event: AccountOpenRejected) {
  return ok(state);
}

/** 128 bits of SHA-256 over the event's canonical JSON: equal for an identical republish. */
export function contentDigest(event: LedgerEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('base64url').slice(0, 22);
}

/** The hash chains as a run left them: what a later audit anchors to (signed with the summary). */
export interface ChainHeads {
  /** Per chain (a ledger.commands partition): its last link read in order. */
  readonly heads: Readonly<Record<string, { sequence: number; hash: string }>>;
  /** Events without a link (written before chains existed). */
  readonly unchainedEvents: number;
}

/**
 * The end of a bounded run (or of a follow run that is stopped): any leg still waiting is a gap,
 * every change's version was reached and a freeze still in force took nothing but releases
 * (accountStatusChecks.ts), and every currency's balances must sum to zero.
 */
export function finishAudit(
  state: AuditState,
):
  | { outcome: 'ok'; totals: AuditTotals; chains: ChainHeads }
  | Exclude<CheckResult, { outcome: 'ok' }> {
  const gap = findGap(state);
  if (gap !== undefined && gap.outcome !== 'ok') return gap;
  const reversals = finishReversals(state);
  if (reversals.outcome !== 'ok') return reversals;
  const chains = finishChains(state);
  if (chains.outcome !== 'ok') return chains;
  const lifecycle = finishLifecycle(state);
  if (lifecycle.outcome !== 'ok') return lifecycle;
  for (const [currency, sum] of state.balanceSumByCurrency) {
    if (sum !== 0n) {
      return {
        outcome: 'violation',
        violation: {
          kind: 'unbalanced_total',
          event: undefined,
          expected: `the final ${currency} balances sum to 0`,
          found: `they sum to ${sum}`,
        },
      };
    }
  }
  return {
    outcome: 'ok',
    chains: { heads: chainHeads(state), unchainedEvents: state.unchainedEvents },
    totals: auditTotals(state),
  };
}
