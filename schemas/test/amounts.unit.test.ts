import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAmount,
  formatBalance,
  formatOverdraftLimit,
  int64Max,
  int64Min,
  parseAmount,
  parseBalance,
  parseOverdraftLimit,
  WireContractError,
} from '../src/index.ts';

const isInvalidAmount = (field: string) => (error: unknown) =>
  error instanceof WireContractError && error.code === 'invalid_amount' && error.field === field;

void describe('parseAmount', () => {
  const accepted: [string, bigint][] = [
    ['1', 1n],
    ['1050', 1050n],
    ['9007199254740993', 9_007_199_254_740_993n], // 2^53 + 1: a JS number would round it
    ['9223372036854775807', int64Max],
  ];
  for (const [text, value] of accepted) {
    void it(`given "${text}", when parsed, then it is exactly ${value}n`, () => {
      assert.equal(parseAmount(text), value);
    });
  }

  const refused: [string, unknown][] = [
    ['zero', '0'],
    ['a negative', '-1'],
    ['a leading zero', '01'],
    ['a leading plus', '+1'],
    ['a fraction', '10.5'],
    ['an exponent', '1e3'],
    ['spaces', ' 1'],
    ['a trailing newline', '1\n'],
    ['empty', ''],
    ['int64 max + 1', '9223372036854775808'],
    ['20 digits', '10000000000000000000'],
    ['non-ASCII digits', '١٢'],
    ['hex', '0x10'],
    ['a JSON number', 1000],
    ['a bigint', 1000n],
  ];
  for (const [what, input] of refused) {
    void it(`given ${what}, when parsed, then invalid_amount names the field`, () => {
      assert.throws(
        () => parseAmount(input as string, 'payload.amount'),
        isInvalidAmount('payload.amount'),
      );
    });
  }
});

void describe('parseOverdraftLimit', () => {
  void it('given "0" and int64 max, when parsed, then both are accepted', () => {
    assert.equal(parseOverdraftLimit('0'), 0n);
    assert.equal(parseOverdraftLimit('9223372036854775807'), int64Max);
  });
  void it('given a negative, "00" or "-0", when parsed, then they are refused', () => {
    for (const text of ['-1', '00', '-0']) {
      assert.throws(() => parseOverdraftLimit(text), isInvalidAmount('overdraftLimit'));
    }
  });
});

void describe('parseBalance', () => {
  void it('given negatives down to int64 min, when parsed, then they are exact', () => {
    assert.equal(parseBalance('-500'), -500n);
    assert.equal(parseBalance('0'), 0n);
    assert.equal(parseBalance('-9223372036854775808'), int64Min);
    assert.equal(parseBalance('9223372036854775807'), int64Max);
  });
  void it('given balances past int64 up to 38 digits, when parsed, then they are exact (the ledger column is numeric(38,0))', () => {
    assert.equal(parseBalance('-9223372036854775809'), int64Min - 1n);
    assert.equal(parseBalance('9'.repeat(38)), 10n ** 38n - 1n);
  });
  void it('given "-0", "--1", "-01" or 39 digits, when parsed, then they are refused', () => {
    for (const text of ['-0', '--1', '-01', '1' + '0'.repeat(38), '-1' + '0'.repeat(38)]) {
      assert.throws(() => parseBalance(text), isInvalidAmount('balance'));
    }
  });
});

void describe('formatting amounts', () => {
  void it('given in-range bigints, when formatted, then they are plain decimal strings', () => {
    assert.equal(formatAmount(int64Max), '9223372036854775807');
    assert.equal(formatOverdraftLimit(0n), '0');
    assert.equal(formatBalance(int64Min), '-9223372036854775808');
  });
  void it('given values out of each range or not bigint, when formatted, then they are refused', () => {
    assert.throws(() => formatAmount(0n), isInvalidAmount('amount'));
    assert.throws(() => formatAmount(int64Max + 1n), isInvalidAmount('amount'));
    assert.throws(() => formatOverdraftLimit(-1n), isInvalidAmount('overdraftLimit'));
    assert.throws(() => formatBalance(-(10n ** 38n)), isInvalidAmount('balance'));
    assert.throws(() => formatAmount(5 as unknown as bigint), isInvalidAmount('amount'));
  });
});
