import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  balanceFromAvro,
  balanceToAvro,
  branchNames,
  commandFromAvro,
  commandToAvro,
  eventFromAvro,
  eventToAvro,
  pendingTimeoutSecondsMax,
  WireContractError,
  type CommandPayload,
  type EventPayload,
  type LedgerCommand,
  type LedgerEvent,
  type SettlePending,
  type Transfer,
} from '../src/index.ts';

// Pending transfers on the wire (schema v3): what the converters accept and refuse beyond the
// field formats the other converter tests cover.

const command = (payload: CommandPayload): LedgerCommand => ({
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
  idempotencyKey: 'h-1',
  requestHash: 'ab'.repeat(32),
  receivedAt: 1_768_469_400_123,
  traceparent: null,
  payload,
});
const event = (payload: EventPayload): LedgerEvent => ({
  eventId: '019bc2a4-8000-7000-8000-000000000001',
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
  occurredAt: 1_768_469_400_200,
  payload,
});
const hold: Transfer = {
  type: 'Transfer',
  transferId: 'h-1',
  fromAccountId: 'alice',
  toAccountId: 'shop',
  amount: 2_500n,
  currency: 'USD',
  metadata: {},
  pending: { timeoutSeconds: 60 },
};
const post: SettlePending = {
  type: 'SettlePending',
  transferId: 'h-1',
  fromAccountId: 'alice',
  toAccountId: 'shop',
  action: 'post',
  amount: 2_000n,
};
const refused = (code: WireContractError['code'], field: string) => (error: unknown) =>
  error instanceof WireContractError && error.code === code && error.field === field;
const roundTrip = (value: LedgerCommand) => commandFromAvro(commandToAvro(value));

void describe('pending transfers on the wire', () => {
  void it('given a pending transfer with and without a timeout, when converted both ways, then it is unchanged', () => {
    assert.deepEqual(roundTrip(command(hold)), command(hold));
    const forever: Transfer = { ...hold, pending: {} };
    assert.deepEqual(roundTrip(command(forever)), command(forever));
  });

  void it('given an ordinary transfer, when converted to Avro, then pending is false and the timeout null', () => {
    const { pending: _pending, ...ordinary } = hold;
    const record = commandToAvro(command(ordinary));
    assert.ok(branchNames.transfer in record.payload);
    assert.equal(record.payload[branchNames.transfer].pending, false);
    assert.equal(record.payload[branchNames.transfer].timeoutSeconds, null);
    assert.deepEqual(commandFromAvro(record), command(ordinary));
  });

  void it('given a timeout of 0 or past the maximum, when encoded, then it is refused', () => {
    for (const timeoutSeconds of [0, pendingTimeoutSecondsMax + 1, 1.5]) {
      assert.throws(
        () => commandToAvro(command({ ...hold, pending: { timeoutSeconds } })),
        refused('invalid_request', 'payload.timeoutSeconds'),
      );
    }
  });

  void it('given a timeout on a transfer that is not pending, when decoded, then it is refused', () => {
    const record = commandToAvro(command(hold));
    assert.ok(branchNames.transfer in record.payload);
    record.payload[branchNames.transfer].pending = false;
    assert.throws(
      () => commandFromAvro(record),
      refused('invalid_request', 'payload.timeoutSeconds'),
    );
  });

  void it('given a pending reversal, when encoded, then it is refused: a reversal is never pending', () => {
    assert.throws(
      () => commandToAvro(command({ ...hold, reversalOf: 't-1' })),
      refused('invalid_request', 'payload.pending'),
    );
  });

  void it('given posts, voids and expiries of the right shape, when converted both ways, then they are unchanged', () => {
    const { amount: _amount, ...whole } = post;
    for (const settle of [
      post,
      whole,
      { ...whole, action: 'void' },
      { ...whole, action: 'expire', asOf: 1_768_469_400_999 },
    ] satisfies SettlePending[]) {
      assert.deepEqual(roundTrip(command(settle)), command(settle));
    }
  });

  void it('given an amount on a void or an expiry without its time, when encoded, then it is refused', () => {
    assert.throws(
      () => commandToAvro(command({ ...post, action: 'void' })),
      refused('invalid_request', 'payload.amount'),
    );
    const { amount: _amount, ...whole } = post;
    assert.throws(
      () => commandToAvro(command({ ...whole, action: 'expire' })),
      refused('invalid_request', 'payload.asOf'),
    );
    assert.throws(
      () => commandToAvro(command({ ...whole, asOf: 1 })),
      refused('invalid_request', 'payload.asOf'),
    );
  });

  void it('given an action outside post, void and expire, when decoded, then it is refused', () => {
    const record = commandToAvro(command(post));
    assert.ok(branchNames.settlePending in record.payload);
    record.payload[branchNames.settlePending].action = 'capture';
    assert.throws(() => commandFromAvro(record), refused('invalid_request', 'payload.action'));
  });

  void it('given a hold event without heldAfter, when encoded, then it is refused', () => {
    const pending: EventPayload = {
      type: 'TransferPending',
      transferId: 'h-1',
      fromAccountId: 'alice',
      toAccountId: 'shop',
      amount: 2_500n,
      currency: 'USD',
      metadata: {},
      debit: { accountId: 'alice', balanceAfter: 10_000n, version: 5 },
    };
    assert.throws(
      () => eventToAvro(event(pending)),
      refused('invalid_request', 'payload.debit.heldAfter'),
    );
    const held = { ...pending, debit: { ...pending.debit, heldAfter: 2_500n } };
    assert.deepEqual(eventFromAvro(eventToAvro(event(held))), event(held));
  });

  void it('given a post of more than was pending, when encoded, then it is refused', () => {
    const posted: EventPayload = {
      type: 'PendingPosted',
      transferId: 'h-1',
      fromAccountId: 'alice',
      toAccountId: 'shop',
      amount: 2_501n,
      pendingAmount: 2_500n,
      currency: 'USD',
      debit: { accountId: 'alice', balanceAfter: 7_499n, version: 6, heldAfter: 0n },
      credit: { accountId: 'shop', balanceAfter: 2_501n, version: 2, heldAfter: 0n },
    };
    assert.throws(() => eventToAvro(event(posted)), refused('invalid_request', 'payload.amount'));
  });

  void it('given a settlement rejection with a transfer-only code, when encoded, then it is refused', () => {
    const rejected: EventPayload = {
      type: 'SettlementRejected',
      transferId: 'h-1',
      fromAccountId: 'alice',
      toAccountId: 'shop',
      action: 'void',
      code: 'transfer_not_pending',
    };
    assert.deepEqual(eventFromAvro(eventToAvro(event(rejected))), event(rejected));
    assert.throws(
      () => eventToAvro(event({ ...rejected, code: 'insufficient_funds' as never })),
      refused('invalid_request', 'payload.code'),
    );
  });

  void it('given a balance whose available is above it, when converted, then it is refused both ways', () => {
    const change = { accountId: 'alice', currency: 'USD', balance: 10n, version: 3, updatedAt: 1 };
    assert.throws(
      () => balanceToAvro({ ...change, available: 11n }),
      refused('invalid_request', 'available'),
    );
    const record = { ...balanceToAvro(change), available: { string: '11' } };
    assert.throws(() => balanceFromAvro(record), refused('invalid_request', 'available'));
    assert.deepEqual(balanceFromAvro(balanceToAvro({ ...change, available: -5n })), {
      ...change,
      available: -5n,
    });
  });
});
