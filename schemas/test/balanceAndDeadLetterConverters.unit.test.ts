import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  balanceFromAvro,
  balanceToAvro,
  deadLetterFromAvro,
  deadLetterReasonLengthMax,
  deadLetterToAvro,
  longSafeMax,
  WireContractError,
  type BalanceChanged,
  type DeadLetter,
} from '../src/index.ts';

const refused = (field: string) => (error: unknown) =>
  error instanceof WireContractError && error.field === field;

void describe('balanceToAvro / balanceFromAvro', () => {
  const change: BalanceChanged = {
    accountId: 'alice',
    currency: 'EUR',
    balance: -250n,
    version: 3,
    updatedAt: 1_768_469_400_000,
  };

  void it('given a negative balance, when round-tripped, then it is exact and a string on the wire', () => {
    assert.equal(balanceToAvro(change).balance, '-250');
    assert.deepStrictEqual(balanceFromAvro(balanceToAvro(change)), change);
  });

  void it('given a version of 0, a fraction or past the safe long range, when encoded, then it is refused', () => {
    for (const version of [0, 1.5, longSafeMax + 1, Number.NaN]) {
      assert.throws(() => balanceToAvro({ ...change, version }), refused('version'));
    }
  });
});

void describe('deadLetterToAvro / deadLetterFromAvro', () => {
  const letter: DeadLetter = {
    originalTopic: 'ledger.commands',
    originalPartition: 0,
    originalOffset: '0',
    key: null,
    value: Buffer.from([0xff, 0x00]),
    reason: 'malformed_message',
    failedAt: 0,
  };

  void it('given a letter without a key, when round-tripped, then key is null and bytes are kept', () => {
    const record = deadLetterToAvro(letter);
    assert.equal(record.key, null);
    assert.deepStrictEqual(deadLetterFromAvro(record), letter);
  });

  void it('given a letter with a key, when converted, then the key is a wrapped bytes branch', () => {
    const record = deadLetterToAvro({ ...letter, key: Buffer.from('alice') });
    assert.deepEqual(record.key, { bytes: Buffer.from('alice') });
  });

  void it('given a bad offset, partition or reason, when encoded, then the field is named', () => {
    assert.throws(
      () => deadLetterToAvro({ ...letter, originalOffset: '-1' }),
      refused('originalOffset'),
    );
    assert.throws(
      () => deadLetterToAvro({ ...letter, originalPartition: -1 }),
      refused('originalPartition'),
    );
    assert.throws(
      () => deadLetterToAvro({ ...letter, originalPartition: 2 ** 31 }),
      refused('originalPartition'),
    );
    assert.throws(() => deadLetterToAvro({ ...letter, reason: '' }), refused('reason'));
    const longReason = 'x'.repeat(deadLetterReasonLengthMax + 1);
    assert.throws(() => deadLetterToAvro({ ...letter, reason: longReason }), refused('reason'));
  });
});
