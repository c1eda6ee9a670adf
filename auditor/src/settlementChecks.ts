import {
  ok,
  positionText,
  violated,
  type AuditState,
  type CheckResult,
  type PendingLeg,
  type PendingTransfer,
  type SettlementClaim,
  type Violation,
} from './auditTypes.ts';

/**
 * What the log proves about a settlement (PendingPosted, PendingVoided) against the pending
 * transfer it names, run when the settlement's debit entry is applied to the debtor's book
 * (accountBooks.ts). A hold is an entry of the same account at a lower version, so once the
 * settlement's entry is in order its hold has been read, in whatever order the partitions were
 * read: a hold unknown then is missing, and needs no waiting list (unlike reversals, whose
 * originals are entries of other accounts). The second settlement of a hold is the later entry.
 */
export function settleHold(
  state: AuditState,
  leg: PendingLeg,
  claim: SettlementClaim,
): CheckResult {
  const { ref, transferId } = leg;
  const hold = state.pendingTransfers.get(transferId);
  const fail = (kind: Violation['kind'], expected: string, found: string) =>
    violated({ kind, event: ref, accountId: claim.fromAccountId, expected, found });
  // A hold read already but entered later on the same account was not pending yet: releasing
  // it then released what other holds reserved.
  if (
    hold === undefined ||
    (hold.fromAccountId === claim.fromAccountId && hold.version > leg.version)
  ) {
    return fail(
      'settlement_without_pending',
      `a pending transfer ${transferId} (a TransferPending at an earlier version of the debtor) to ${claim.action}`,
      noHoldBefore(state, leg, hold),
    );
  }
  if (hold.settledBy !== undefined) {
    return fail(
      'pending_settled_twice',
      `pending transfer ${transferId} settled once (event ${hold.settledBy})`,
      `a second settlement (${claim.action}) under event ${ref.eventId}`,
    );
  }
  const wrong = mismatch(hold, claim);
  if (wrong !== undefined) {
    return fail(
      wrong.kind,
      `${wrong.expected}, as pending transfer ${transferId} (event ${hold.at})`,
      wrong.found,
    );
  }
  hold.settledBy = `${ref.eventId}@${positionText(ref)}`;
  return ok(state);
}

/** Why no hold of the settlement's transfer id precedes its entry. */
function noHoldBefore(state: AuditState, leg: PendingLeg, hold: PendingTransfer | undefined) {
  if (hold !== undefined) {
    return `its TransferPending (event ${hold.at}) is at version ${hold.version}, after this settlement's ${leg.version}`;
  }
  const posted = state.postedTransfers.get(leg.transferId);
  if (posted !== undefined) {
    return `${leg.transferId} is an ordinary transfer, posted by event ${posted.at}`;
  }
  return `no TransferPending ${leg.transferId} before version ${leg.version}`;
}

/** How a settlement departs from its hold, if it does. */
function mismatch(
  hold: PendingTransfer,
  claim: SettlementClaim,
): Pick<Violation, 'kind' | 'expected' | 'found'> | undefined {
  if (
    hold.fromAccountId !== claim.fromAccountId ||
    hold.toAccountId !== claim.toAccountId ||
    hold.currency !== claim.currency
  ) {
    return {
      kind: 'settlement_mismatch',
      expected: `its fromAccountId, toAccountId and currency (${hold.currency})`,
      found: [
        `currency ${claim.currency}`,
        `${hold.fromAccountId === claim.fromAccountId ? 'the same' : 'another'} fromAccountId`,
        `${hold.toAccountId === claim.toAccountId ? 'the same' : 'another'} toAccountId`,
      ].join(', '),
    };
  }
  if (claim.posted > hold.amount) {
    return {
      kind: 'post_exceeds_pending',
      expected: `a post of at most ${hold.amount}`,
      found: `${claim.posted} posted`,
    };
  }
  if (claim.released !== hold.amount) {
    return {
      kind: 'settlement_mismatch',
      expected: `the whole pending amount released: ${hold.amount}`,
      found: `${claim.released} released (${claim.action === 'post' ? 'pendingAmount' : 'amount'})`,
    };
  }
  if (claim.action === 'expire' && hold.expiresAt === undefined) {
    return {
      kind: 'settlement_mismatch',
      expected: 'an expiry only of a transfer with an expiresAt',
      found: 'it has none: it never expires',
    };
  }
  // The processor refuses a post once expiresAt <= its clock, the clock it writes as occurredAt.
  if (
    claim.action === 'post' &&
    hold.expiresAt !== undefined &&
    claim.occurredAt >= hold.expiresAt
  ) {
    return {
      kind: 'posted_after_expiry',
      expected: `a post decided before its expiresAt ${hold.expiresAt}`,
      found: `occurredAt ${claim.occurredAt}`,
    };
  }
  return undefined;
}
