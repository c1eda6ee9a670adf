import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type { LedgerEvent } from '@ledger/schemas';
import { projectEvents } from '../src/readModelProjection.ts';

const t0 = Date.UTC(2026, 0, 15, 9, 30);
let sequence = 0;
const event = (payload: LedgerEvent['payload'], occurredAt = t0): LedgerEvent => ({
  eventId: `e-${++sequence}`,
  commandId: `c-${sequence}`,
  occurredAt,
  payload,
});
const ids = { transferId: 'h-1', fromAccountId: 'alice', toAccountId: 'shop' } as const;
/** alice at 100 holds 30 for shop (her version 3), expiring a minute later. */
const pending = event({
  type: 'TransferPending',
  ...ids,
  amount: 30n,
  currency: 'USD',
  metadata: {},
  debit: { accountId: 'alice', balanceAfter: 100n, heldAfter: 30n, version: 3 },
  expiresAt: t0 + 60_000,
});
const postedPart = event(
  {
    type: 'PendingPosted',
    ...ids,
    amount: 20n,
    pendingAmount: 30n,
    currency: 'USD',
    debit: { accountId: 'alice', balanceAfter: 80n, heldAfter: 0n, version: 4 },
    credit: { accountId: 'shop', balanceAfter: 20n, heldAfter: 0n, version: 2 },
  },
  t0 + 5,
);
const expired = event(
  {
    type: 'PendingVoided',
    ...ids,
    amount: 30n,
    currency: 'USD',
    reason: 'expired',
    debit: { accountId: 'alice', balanceAfter: 100n, heldAfter: 0n, version: 4 },
  },
  t0 + 60_000,
);

void describe('read-model projection of pending transfers', () => {
  void it('given a hold, when projected, then alice keeps her balance with 30 held, her history shows a pending entry and the transfer is pending', () => {
    const changes = projectEvents([pending]);
    assert.deepEqual(
      changes.accounts.map((row) => [row.accountId, row.balance, row.held, row.version]),
      [['alice', 100n, 30n, 3]],
    );
    assert.deepEqual(
      changes.history.map((row) => [
        row.accountId,
        row.kind,
        row.direction,
        row.amount,
        row.heldAfter,
      ]),
      [['alice', 'pending', 'debit', 30n, 30n]],
    );
    assert.deepEqual(
      changes.transfers.map((row) => [row.status, row.amount, row.pendingAmount, row.expiresAtMs]),
      [['pending', 30n, 30n, t0 + 60_000]],
    );
  });

  void it('given a hold and its partial post in one batch, when projected, then one posted row carries the posted and the pending amount', () => {
    const changes = projectEvents([pending, postedPart]);
    assert.deepEqual(
      changes.transfers.map((row) => [row.status, row.amount, row.pendingAmount, row.postedAtMs]),
      [['posted', 20n, 30n, t0 + 5]],
    );
    assert.equal(changes.transfers[0]?.settles, undefined, 'inserted with its outcome');
    assert.deepEqual(
      changes.history.map((row) => [row.accountId, row.version, row.kind, row.amount]),
      [
        ['alice', 3, 'pending', 30n],
        ['alice', 4, 'posted', 20n],
        ['shop', 2, 'posted', 20n],
      ],
    );
    assert.deepEqual(
      changes.accounts.map((row) => [row.accountId, row.balance, row.held]),
      [
        ['alice', 80n, 0n],
        ['shop', 20n, 0n],
      ],
    );
  });

  void it('given only an expiry (its hold projected earlier), when projected, then it is a settling row and a release entry', () => {
    const changes = projectEvents([expired]);
    assert.deepEqual(
      changes.transfers.map((row) => [row.status, row.settles]),
      [['expired', true]],
    );
    assert.deepEqual(
      changes.history.map((row) => [row.kind, row.amount, row.balanceAfter, row.heldAfter]),
      [['expired', 30n, 100n, 0n]],
    );
    assert.equal(changes.eventCounts.PendingVoided, 1);
  });

  void it('given a hold settled two different ways, when projected, then it crashes: the ledger settles once', () => {
    const otherwise = {
      ...expired,
      payload: { ...expired.payload, reason: 'voided' },
    } as LedgerEvent;
    assert.throws(() => projectEvents([pending, postedPart, otherwise]), AssertionFailure);
  });
});
