import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError, type ErrorCode } from '@ledger/runtime';
import { amountMax, parseAmount, parseNonNegativeAmount } from '../src/validation/amountParser.ts';
import { activeCurrencyCodes, parseCurrency } from '../src/validation/currencyCodes.ts';
import { parseId } from '../src/validation/idValidator.ts';
import { parseMetadata } from '../src/validation/metadataValidator.ts';
import { validateOpenAccount } from '../src/validation/openAccountValidator.ts';
import { validateTransfer } from '../src/validation/transferValidator.ts';
import { batchItemsMax, validateTransferBatch } from '../src/validation/batchValidator.ts';
import {
  metadataKeyLengthMax,
  metadataKeysMax,
  metadataValueLengthMax,
  requestHashOf,
} from '@ledger/schemas';
import { sequentialIds } from './testSupport.ts';

function throwsCode(action: () => unknown, code: ErrorCode, detailIncludes?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof LedgerError, `expected a LedgerError, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    if (detailIncludes !== undefined) assert.match(error.detail, new RegExp(detailIncludes));
    return true;
  });
}

const context = () => ({ newId: sequentialIds('gen'), nowMs: 1_700_000_000_000 });
const transfer = (overrides: Record<string, unknown> = {}) => ({
  transferId: 't-1',
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: '1000',
  currency: 'USD',
  ...overrides,
});
const validateBody = (body: unknown, header?: string) =>
  validateTransfer({ body, idempotencyKeyHeader: header, what: 'the request body' }, context());

void describe('amounts', () => {
  const bad: ReadonlyArray<[string, unknown]> = [
    ['a JSON number', 1000],
    ['a JSON integer one', 1],
    ['a negative', '-1'],
    ['a zero', '0'],
    ['a fraction', '10.50'],
    ['an exponent', '1e3'],
    ['a leading plus', '+1'],
    ['leading zeros', '01'],
    ['one over the maximum', (amountMax + 1n).toString()],
    ['a longer string', '1'.repeat(20)],
    ['an empty string', ''],
    ['whitespace', ' 1'],
    ['a hex literal', '0x10'],
    ['null', null],
    ['a boolean', true],
    ['an array', ['1']],
    ['unicode digits', '١٢'],
  ];
  for (const [name, value] of bad) {
    void it(`given ${name} as amount, when parsed, then it is invalid_amount`, () => {
      throwsCode(() => parseAmount(value, 'amount'), 'invalid_amount', 'amount');
    });
  }

  void it('given the bounds, when parsed, then they become exact bigints', () => {
    assert.equal(parseAmount('1', 'amount'), 1n);
    assert.equal(parseAmount('9223372036854775807', 'amount'), 9_223_372_036_854_775_807n);
  });

  void it('given an overdraft limit, when parsed, then zero is allowed but not "00" or "-0"', () => {
    assert.equal(parseNonNegativeAmount('0', 'overdraftLimit'), 0n);
    throwsCode(() => parseNonNegativeAmount('00', 'overdraftLimit'), 'invalid_amount');
    throwsCode(() => parseNonNegativeAmount('-0', 'overdraftLimit'), 'invalid_amount');
    throwsCode(() => parseNonNegativeAmount(0, 'overdraftLimit'), 'invalid_amount');
  });
});

void describe('ids', () => {
  const bad: ReadonlyArray<[string, unknown]> = [
    ['an empty string', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a leading dash', '-abc'],
    ['a leading dot', '.abc'],
    ['a slash', 'a/b'],
    ['a space', 'a b'],
    ['a non-ASCII letter', 'ä'],
    ['a number', 42],
    ['null', null],
  ];
  for (const [name, value] of bad) {
    void it(`given ${name} as id, when parsed, then it is invalid_id`, () => {
      throwsCode(() => parseId(value, 'accountId'), 'invalid_id', 'accountId');
    });
  }

  void it('given 64 characters with every allowed symbol, when parsed, then it is kept', () => {
    const id = 'A0_.:-' + 'z'.repeat(58);
    assert.equal(parseId(id, 'accountId'), id);
  });
});

void describe('currency', () => {
  for (const value of ['usd', 'US', 'USDD', 'XXX', 'XAU', 'HRK', 'ABC', 840, null]) {
    void it(`given ${JSON.stringify(value)} as currency, when parsed, then it is invalid_request`, () => {
      throwsCode(() => parseCurrency(value, 'currency'), 'invalid_request', 'currency');
    });
  }
  void it('given active codes, when parsed, then they are accepted', () => {
    for (const code of ['USD', 'VND', 'EUR', 'JPY', 'ZWG', 'SLE']) {
      assert.equal(parseCurrency(code, 'currency'), code);
    }
    assert.ok(activeCurrencyCodes.size > 150);
  });
});

void describe('metadata', () => {
  const bad: ReadonlyArray<[string, unknown]> = [
    ['an array', ['a']],
    ['a string', 'note'],
    ['null', null],
    ['a number value', { n: 1 }],
    ['a nested object', { n: { deep: 'x' } }],
    [
      'too many keys',
      Object.fromEntries(Array.from({ length: metadataKeysMax + 1 }, (_, i) => [`k${i}`, 'v'])),
    ],
    ['a too long key', { ['k'.repeat(metadataKeyLengthMax + 1)]: 'v' }],
    ['an empty key', { '': 'v' }],
    ['a too long value', { note: 'v'.repeat(metadataValueLengthMax + 1) }],
  ];
  for (const [name, value] of bad) {
    void it(`given ${name} as metadata, when parsed, then it is invalid_request`, () => {
      throwsCode(() => parseMetadata(value, 'metadata'), 'invalid_request', 'metadata');
    });
  }
  void it('given the limits exactly, when parsed, then they are accepted', () => {
    const full = Object.fromEntries(
      Array.from({ length: metadataKeysMax }, (_, i) => [
        `${i}`.padEnd(metadataKeyLengthMax, 'k'),
        'v'.repeat(metadataValueLengthMax),
      ]),
    );
    assert.deepEqual({ ...parseMetadata(full, 'metadata') }, full);
    assert.deepEqual({ ...parseMetadata(undefined, 'metadata') }, {});
  });
  void it('given keys outside the wire pattern, when parsed, then invalid_request (the serde would refuse them)', () => {
    for (const key of ['__proto__', 'has space', '-lead', 'ü']) {
      throwsCode(
        () => parseMetadata(JSON.parse(`{${JSON.stringify(key)}:"x"}`), 'metadata'),
        'invalid_request',
      );
    }
  });
});

void describe('transfer bodies', () => {
  const bad: ReadonlyArray<[string, unknown, ErrorCode, string]> = [
    ['an unknown field', transfer({ memo: 'x' }), 'invalid_request', '"memo"'],
    ['a missing amount', { ...transfer(), amount: undefined }, 'invalid_request', '"amount"'],
    [
      'a missing fromAccountId',
      { ...transfer(), fromAccountId: undefined },
      'invalid_request',
      'fromAccountId',
    ],
    ['an array body', [transfer()], 'invalid_request', 'object'],
    ['a null body', null, 'invalid_request', 'object'],
    ['a numeric amount', transfer({ amount: 1000 }), 'invalid_amount', 'amount'],
    ['a bad transferId', transfer({ transferId: 'bad id' }), 'invalid_id', 'transferId'],
    ['a null transferId', transfer({ transferId: null }), 'invalid_id', 'transferId'],
    ['a bad toAccountId', transfer({ toAccountId: '' }), 'invalid_id', 'toAccountId'],
    ['from equal to', transfer({ toAccountId: 'alice' }), 'same_account', 'same'],
    ['a lowercase currency', transfer({ currency: 'usd' }), 'invalid_request', 'currency'],
    ['metadata with a number', transfer({ metadata: { n: 1 } }), 'invalid_request', 'metadata'],
  ];
  for (const [name, body, code, detail] of bad) {
    void it(`given ${name}, when validated, then it is ${code}`, () => {
      throwsCode(() => validateBody(body), code, detail);
    });
  }

  void it('given a bad Idempotency-Key header, when validated, then it is invalid_id', () => {
    throwsCode(() => validateBody(transfer(), 'has space'), 'invalid_id', 'Idempotency-Key');
  });

  void it('given a valid body, when validated, then ids, key and hash are set', () => {
    const command = validateBody(transfer({ metadata: { note: 'rent' } }));
    assert.equal(command.payload.type, 'Transfer');
    assert.equal(command.payload.transferId, 't-1');
    assert.equal(command.idempotencyKey, 't-1');
    assert.equal(command.payload.amount, 1000n);
    assert.equal(command.commandId, 'gen-1');
    assert.match(command.requestHash, /^[0-9a-f]{64}$/);
  });

  void it('given the same content in another field order, when validated, then the hash is equal', () => {
    const a = validateBody({
      currency: 'USD',
      amount: '5',
      toAccountId: 'b',
      fromAccountId: 'a',
      transferId: 't',
    });
    const b = validateBody({
      transferId: 't',
      fromAccountId: 'a',
      toAccountId: 'b',
      amount: '5',
      currency: 'USD',
    });
    assert.equal(a.requestHash, b.requestHash);
    assert.equal(a.requestHash, requestHashOf(a.payload), 'the wire contract defines the hash');
    const withMetadata = (metadata: Record<string, string>) =>
      validateBody(transfer({ metadata })).requestHash;
    assert.equal(withMetadata({ x: '1', a: '2' }), withMetadata({ a: '2', x: '1' }));
  });

  void it('given an Idempotency-Key and no transferId, when sent twice, then both name the same transfer and hash', () => {
    const body = { fromAccountId: 'a', toAccountId: 'b', amount: '5', currency: 'USD' };
    const shared = context();
    const validate = () =>
      validateTransfer({ body, idempotencyKeyHeader: 'key-9', what: 'the body' }, shared);
    const [first, second] = [validate(), validate()];
    assert.equal(first.payload.transferId, 'key-9');
    assert.equal(first.requestHash, second.requestHash);
    assert.notEqual(first.commandId, second.commandId);
  });

  void it('given neither transferId nor key, when validated twice, then each gets its own generated id', () => {
    const body = { fromAccountId: 'a', toAccountId: 'b', amount: '5', currency: 'USD' };
    const shared = context();
    const validate = () =>
      validateTransfer({ body, idempotencyKeyHeader: undefined, what: 'the body' }, shared);
    const [first, second] = [validate(), validate()];
    assert.notEqual(first.payload.transferId, second.payload.transferId);
    assert.equal(first.idempotencyKey, first.payload.transferId);
  });

  void it('given other content, when validated, then the hash differs', () => {
    assert.notEqual(
      validateBody(transfer()).requestHash,
      validateBody(transfer({ amount: '1001' })).requestHash,
    );
    assert.notEqual(
      validateBody(transfer()).requestHash,
      validateBody(transfer({ metadata: { note: 'x' } })).requestHash,
    );
  });

  void it('given an Idempotency-Key header, when validated, then it is the key', () => {
    assert.equal(validateBody(transfer(), 'key-1').idempotencyKey, 'key-1');
  });
});

void describe('open-account bodies', () => {
  const validate = (body: unknown) => validateOpenAccount(body, context());
  const bad: ReadonlyArray<[string, unknown, ErrorCode]> = [
    ['a missing currency', { accountId: 'alice' }, 'invalid_request'],
    ['an unknown field', { accountId: 'alice', currency: 'USD', balance: '5' }, 'invalid_request'],
    ['a negative overdraft', { currency: 'USD', overdraftLimit: '-5' }, 'invalid_amount'],
    ['a numeric overdraft', { currency: 'USD', overdraftLimit: 0 }, 'invalid_amount'],
    ['a bad accountId', { accountId: '_x', currency: 'USD' }, 'invalid_id'],
    ['a string body', 'alice', 'invalid_request'],
  ];
  for (const [name, body, code] of bad) {
    void it(`given ${name}, when validated, then it is ${code}`, () =>
      throwsCode(() => validate(body), code));
  }

  void it('given no overdraft or metadata, when validated, then it hashes like the explicit defaults', () => {
    const implicit = validate({ accountId: 'alice', currency: 'USD' });
    const explicit = validate({
      accountId: 'alice',
      currency: 'USD',
      overdraftLimit: '0',
      metadata: {},
    });
    assert.equal(implicit.requestHash, explicit.requestHash);
    assert.equal(implicit.payload.overdraftLimit, 0n);
    assert.equal(implicit.idempotencyKey, 'alice');
  });
});

void describe('batch bodies', () => {
  const validate = (body: unknown) => validateTransferBatch(body, context());
  void it('given an empty or oversized batch, when validated, then the envelope is invalid_request', () => {
    throwsCode(() => validate({ transfers: [] }), 'invalid_request', '1 to');
    throwsCode(
      () => validate({ transfers: Array.from({ length: batchItemsMax + 1 }, () => transfer()) }),
      'invalid_request',
    );
    throwsCode(() => validate({ transfers: {} }), 'invalid_request', 'array');
    throwsCode(() => validate({ transfers: [transfer()], extra: 1 }), 'invalid_request', '"extra"');
  });
  void it('given good and bad items, when validated, then each item stands alone with its index', () => {
    const results = validate({
      transfers: [transfer(), transfer({ amount: '0' }), transfer({ transferId: 't-2' })],
    });
    assert.deepEqual(
      results.map((r) => [r.index, r.ok]),
      [
        [0, true],
        [1, false],
        [2, true],
      ],
    );
    const bad = results[1];
    assert.ok(bad !== undefined && !bad.ok);
    assert.equal(bad.error.code, 'invalid_amount');
  });
});
