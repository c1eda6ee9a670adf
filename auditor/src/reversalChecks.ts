import type { TransferPosted } from '@ledger/schemas';
import {
  ok,
  violated,
  type AuditState,
  type CheckResult,
  type EventRef,
  type PostedTransfer,
} from './auditTypes.ts';

/**
 * What the log proves about reversals (a TransferPosted with `reversalOf`, schema v2): each one
 * runs along a posted transfer's path reversed, in its currency, and all of a transfer's
 * reversals together take back at most its amount. A reversal and its original are keyed by
 * different accounts, so they may sit in different partitions and be read in either order: a
 * reversal read first waits (`pendingReversals`) for its original, and a bounded run that ends
 * with one still waiting reports it (`finishReversals`).
 */

/** The path a reversal of `original` must take: its accounts swapped, its currency. */
export function reversedPath(
  posted: Pick<TransferPosted, 'fromAccountId' | 'toAccountId' | 'currency'>,
): string {
  return pathOf(posted.toAccountId, posted.fromAccountId, posted.currency);
}

export function pathOf(fromAccountId: string, toAccountId: string, currency: string): string {
  return JSON.stringify([fromAccountId, toAccountId, currency]);
}

/** A reversal just posted: checked against its original if read, else left waiting for it. */
export function checkReversal(
  state: AuditState,
  ref: EventRef,
  posted: TransferPosted & { reversalOf: string },
): CheckResult {
  const path = pathOf(posted.fromAccountId, posted.toAccountId, posted.currency);
  const original = state.postedTransfers.get(posted.reversalOf);
  const claim = state.pendingReversals.get(posted.reversalOf);
  if (original === undefined) {
    if (claim !== undefined && claim.path !== path) return offPath(ref, posted.reversalOf);
    state.pendingReversals.set(posted.reversalOf, {
      path,
      amount: (claim?.amount ?? 0n) + posted.amount,
      ref: claim?.ref ?? ref,
    });
    return ok(state);
  }
  if (original.reversedPath !== path) return offPath(ref, posted.reversalOf);
  return takeBack(state, ref, posted.reversalOf, original, posted.amount);
}

/** A transfer just posted: the reversals read before it are checked now. */
export function settleWaitingReversals(
  state: AuditState,
  transferId: string,
  original: PostedTransfer,
): CheckResult {
  const claim = state.pendingReversals.get(transferId);
  if (claim === undefined) return ok(state);
  state.pendingReversals.delete(transferId);
  if (claim.path !== original.reversedPath) return offPath(claim.ref, transferId);
  return takeBack(state, claim.ref, transferId, original, claim.amount);
}

/** The end of a bounded run: a reversal whose original never appeared reversed nothing posted. */
export function finishReversals(state: AuditState): CheckResult {
  for (const [transferId, claim] of state.pendingReversals) {
    return violated({
      kind: 'reversal_unmatched',
      event: claim.ref,
      expected: `a posted transfer ${transferId} to reverse`,
      found: 'none in the log',
    });
  }
  return ok(state);
}

function takeBack(
  state: AuditState,
  ref: EventRef,
  transferId: string,
  original: PostedTransfer,
  amount: bigint,
): CheckResult {
  original.reversed += amount;
  if (original.reversed > original.amount) {
    return violated({
      kind: 'reversal_exceeds_transfer',
      event: ref,
      expected: `reversals of ${transferId} taking back at most its ${original.amount}`,
      found: `${original.reversed} taken back`,
    });
  }
  return ok(state);
}

function offPath(ref: EventRef, transferId: string): CheckResult {
  return violated({
    kind: 'reversal_unmatched',
    event: ref,
    expected: `the path of ${transferId} reversed, in its currency`,
    found: 'other accounts or another currency',
  });
}
