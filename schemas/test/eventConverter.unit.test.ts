import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejectionCodes } from '@ledger/runtime';
import {
  accountChangeRejectionCodes,
  branchNames,
  eventFromAvro,
  eventToAvro,
  settlementRejectionCodes,
  transferRejectionCodes,
  WireContractError,
  type EventPayload,
  type LedgerEvent,
  type TransferPosted,
} from '../src/index.ts';

const envelope = {
  eventId: '019bc2a4-8000-7000-8000-000000000002',
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
  occurredAt: 1_768_469_400_129,
};
const posted: TransferPosted = {
  type: 'TransferPosted',
  transferId: 't-1',
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: 1_000n,
  currency: 'USD',
  metadata: {},
  debit: { accountId: 'alice', balanceAfter: -500n, version: 7 },
  credit: { accountId: 'bob', balanceAfter: 1_000n, version: 2 },
};
const eventOf = (payload: EventPayload): LedgerEvent => ({ ...envelope, payload });

const refused = (field: string) => (error: unknown) =>
  error instanceof WireContractError && error.field === field;

void describe('eventToAvro / eventFromAvro', () => {
  const examples: EventPayload[] = [
    {
      type: 'AccountOpened',
      accountId: 'alice',
      currency: 'USD',
      overdraftLimit: 500n,
      metadata: { name: 'Alice' },
      version: 1,
      balance: 0n,
    },
    posted,
    {
      type: 'TransferRejected',
      transferId: 't-2',
      fromAccountId: 'alice',
      toAccountId: 'bob',
      amount: 1n,
      currency: 'USD',
      code: 'insufficient_funds',
    },
    { type: 'AccountOpenRejected', accountId: 'alice', code: 'account_exists' },
  ];

  for (const payload of examples) {
    void it(`given ${payload.type}, when converted to Avro and back, then it is unchanged`, () => {
      assert.deepStrictEqual(eventFromAvro(eventToAvro(eventOf(payload))), eventOf(payload));
    });
  }

  void it('given a posting, when converted, then it is the TransferPosted branch with a negative balance string', () => {
    const record = eventToAvro(eventOf(posted));
    assert.ok(branchNames.transferPosted in record.payload);
    assert.equal(record.payload[branchNames.transferPosted].debit.balanceAfter, '-500');
  });

  void it('given the rejection codes, then each is a transfer, a settlement, an account change or an opening code, and every transfer code encodes in a transfer rejection', () => {
    assert.deepEqual(
      [
        ...new Set([
          ...transferRejectionCodes,
          ...settlementRejectionCodes,
          ...accountChangeRejectionCodes,
          'account_exists',
        ]),
      ].sort(),
      [...rejectionCodes].sort(),
    );
    for (const code of transferRejectionCodes) {
      const { transferId, fromAccountId, toAccountId, amount, currency } = posted;
      const rejected = eventOf({
        type: 'TransferRejected',
        ...{ transferId, fromAccountId, toAccountId, amount, currency },
        code,
      });
      assert.equal(eventFromAvro(eventToAvro(rejected)).payload.type, 'TransferRejected');
    }
  });

  void it('given a rejection code outside the list, when decoded, then it is refused', () => {
    const record = eventToAvro(
      eventOf({ type: 'AccountOpenRejected', accountId: 'a', code: 'account_exists' }),
    );
    assert.ok(branchNames.accountOpenRejected in record.payload);
    record.payload[branchNames.accountOpenRejected].code = 'insufficient_funds';
    assert.throws(() => eventFromAvro(record), refused('payload.code'));
  });

  void it('given a debit leg naming another account, when encoded, then it is refused', () => {
    const wrongLeg = { ...posted, debit: { ...posted.debit, accountId: 'carol' } };
    assert.throws(() => eventToAvro(eventOf(wrongLeg)), refused('payload.debit.accountId'));
  });

  void it('given a leg at version 1 (the opening), when encoded, then it is refused', () => {
    const atOpening = { ...posted, credit: { ...posted.credit, version: 1 } };
    assert.throws(() => eventToAvro(eventOf(atOpening)), refused('payload.credit.version'));
  });

  void it('given an account opened at version 2 or with a balance, when converted, then it is refused both ways', () => {
    const opened = {
      type: 'AccountOpened',
      accountId: 'a',
      currency: 'USD',
      overdraftLimit: 0n,
      metadata: {},
      version: 1,
      balance: 0n,
    } as const;
    assert.throws(
      () => eventToAvro(eventOf({ ...opened, version: 2 })),
      refused('payload.version'),
    );
    const record = eventToAvro(eventOf(opened));
    assert.ok(branchNames.accountOpened in record.payload);
    record.payload[branchNames.accountOpened].balance = '5';
    assert.throws(() => eventFromAvro(record), refused('payload.balance'));
  });

  void it('given a balanceAfter of "-0", when decoded, then it is an invalid amount', () => {
    const record = eventToAvro(eventOf(posted));
    assert.ok(branchNames.transferPosted in record.payload);
    record.payload[branchNames.transferPosted].credit.balanceAfter = '-0';
    assert.throws(
      () => eventFromAvro(record),
      (error) => error instanceof WireContractError && error.code === 'invalid_amount',
    );
  });
});
