import type {
  Leg,
  PendingPosted,
  PendingVoided,
  SettlementRejected,
  TransferPending,
} from '@ledger/schemas';
import { enqueueLeg } from './accountBooks.ts';
import {
  ok,
  positionText,
  refOf,
  violated,
  type AuditInput,
  type AuditState,
  type CheckResult,
  type PendingLeg,
  type SettlementClaim,
} from './auditTypes.ts';

/**
 * What the log proves about pending transfers (holds, schema v3): a TransferPending holds its
 * amount on fromAccountId, its balance unchanged; one PendingPosted or PendingVoided settles it,
 * releasing exactly that amount and (a post) moving at most it. Every entry is a leg of its
 * account's book (accountBooks.ts): versions gapless, running balance and held, available ≥
 * −overdraftLimit. The settlement is matched with its hold when its debit entry is applied
 * (settlementChecks.ts); here each event's own content is checked and its legs are queued.
 */

export function checkTransferPending(
  state: AuditState,
  input: AuditInput,
  pending: TransferPending,
): CheckResult {
  const ref = refOf(input);
  const { transferId, fromAccountId, toAccountId, amount, debit } = pending;
  if (debit.accountId !== fromAccountId || fromAccountId === toAccountId || amount <= 0n) {
    return malformed(input, 'a positive amount, held on fromAccountId, two accounts', {
      amount,
      legs: [['hold', debit.accountId === fromAccountId]],
      sameAccounts: fromAccountId === toAccountId,
    });
  }
  const posted = state.postedTransfers.get(transferId);
  const held = state.pendingTransfers.get(transferId);
  if (posted !== undefined || held !== undefined) {
    return violated({
      kind: 'transfer_posted_twice',
      event: ref,
      expected:
        posted === undefined
          ? `pending transfer ${transferId} once (event ${held?.at})`
          : `transfer ${transferId} once: it was posted by event ${posted.at}`,
      found: `a pending transfer under the same id, event ${input.event.eventId}`,
    });
  }
  if (state.pendingTransfers.size >= state.limits.pendingTransfersMax) {
    return {
      outcome: 'limit',
      limit: 'pendingTransfersMax',
      detail: `more than ${state.limits.pendingTransfersMax} pending transfers`,
    };
  }
  state.pendingTransfers.set(transferId, {
    at: `${input.event.eventId}@${positionText(input.position)}`,
    fromAccountId,
    toAccountId,
    currency: pending.currency,
    amount,
    version: debit.version,
    expiresAt: pending.expiresAt,
    settledBy: undefined,
  });
  return enqueueLeg(
    state,
    fromAccountId,
    legOf(input, pending, debit, { side: 'hold', delta: 0n, heldDelta: amount }),
  );
}

/** An ordinary TransferPosted under the id of a pending transfer (the other order is above). */
export function checkNotPending(
  state: AuditState,
  input: AuditInput,
  transferId: string,
): CheckResult {
  const held = state.pendingTransfers.get(transferId);
  if (held === undefined) return ok(state);
  return violated({
    kind: 'transfer_posted_twice',
    event: refOf(input),
    expected: `transfer ${transferId} once: it is the pending transfer of event ${held.at}`,
    found: `an ordinary posting under the same id, event ${input.event.eventId}`,
  });
}

export function checkPendingPosted(
  state: AuditState,
  input: AuditInput,
  posted: PendingPosted,
): CheckResult {
  const { fromAccountId, toAccountId, amount, pendingAmount, debit, credit } = posted;
  const sameAccounts = fromAccountId === toAccountId;
  const onFrom = debit.accountId === fromAccountId;
  const onTo = credit.accountId === toAccountId;
  if (!onFrom || !onTo || sameAccounts || amount <= 0n || pendingAmount <= 0n) {
    return malformed(
      input,
      'a positive amount and pendingAmount, the debit leg on fromAccountId, the credit leg on toAccountId, two accounts',
      {
        amount,
        legs: [
          ['debit', onFrom],
          ['credit', onTo],
        ],
        sameAccounts,
      },
    );
  }
  if (amount > pendingAmount) {
    return violated({
      kind: 'post_exceeds_pending',
      event: refOf(input),
      expected: `a post of at most its pendingAmount ${pendingAmount}`,
      found: `amount ${amount}`,
    });
  }
  const settles = claimOf(input, posted, 'post', amount, pendingAmount);
  const debited = enqueueLeg(
    state,
    fromAccountId,
    legOf(input, posted, debit, {
      side: 'debit',
      delta: -amount,
      heldDelta: -pendingAmount,
      settles,
    }),
  );
  if (debited.outcome !== 'ok') return debited;
  return enqueueLeg(
    state,
    toAccountId,
    legOf(input, posted, credit, { side: 'credit', delta: amount, heldDelta: 0n }),
  );
}

export function checkPendingVoided(
  state: AuditState,
  input: AuditInput,
  voided: PendingVoided,
): CheckResult {
  const { fromAccountId, toAccountId, amount, debit } = voided;
  if (debit.accountId !== fromAccountId || fromAccountId === toAccountId || amount <= 0n) {
    return malformed(input, 'a positive amount, released on fromAccountId, two accounts', {
      amount,
      legs: [['release', debit.accountId === fromAccountId]],
      sameAccounts: fromAccountId === toAccountId,
    });
  }
  const action = voided.reason === 'expired' ? 'expire' : 'void';
  const settles = claimOf(input, voided, action, 0n, amount);
  return enqueueLeg(
    state,
    fromAccountId,
    legOf(input, voided, debit, { side: 'release', delta: 0n, heldDelta: -amount, settles }),
  );
}

/** A refused settlement changes nothing; the pending transfer stays as it was. */
export function checkSettlementRejected(
  state: AuditState,
  _input: AuditInput,
  _event: SettlementRejected,
): CheckResult {
  return ok(state);
}

type Transfer = Pick<TransferPending, 'transferId' | 'fromAccountId' | 'toAccountId' | 'currency'>;

function claimOf(
  input: AuditInput,
  transfer: Transfer,
  action: SettlementClaim['action'],
  posted: bigint,
  released: bigint,
): SettlementClaim {
  const { fromAccountId, toAccountId, currency } = transfer;
  const occurredAt = input.event.occurredAt;
  return { action, fromAccountId, toAccountId, currency, posted, released, occurredAt };
}

function legOf(
  input: AuditInput,
  transfer: Transfer,
  leg: Leg,
  entry: Pick<PendingLeg, 'side' | 'delta' | 'heldDelta' | 'settles'>,
): PendingLeg {
  return {
    ...entry,
    version: leg.version,
    transferId: transfer.transferId,
    currency: transfer.currency,
    balanceAfter: leg.balanceAfter,
    heldAfter: leg.heldAfter ?? 0n,
    ref: refOf(input),
    receivedAtMs: input.receivedAtMs,
  };
}

/** Which legs sit where they should, without printing an account id. */
function malformed(
  input: AuditInput,
  expected: string,
  found: {
    amount: bigint;
    legs: readonly (readonly [side: string, onItsAccount: boolean])[];
    sameAccounts: boolean;
  },
): CheckResult {
  const legs = found.legs.map(
    ([side, onIt]) => `${side} leg on ${onIt ? 'its account' : 'another account'}`,
  );
  return violated({
    kind: 'malformed_transfer',
    event: refOf(input),
    expected,
    found: [
      `amount ${found.amount}`,
      ...legs,
      found.sameAccounts ? 'fromAccountId = toAccountId' : 'two accounts',
    ].join(', '),
  });
}
