import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError, anonymousPrincipal, type Principal } from '@ledger/runtime';
import { decodeAccountListCursor, encodeAccountListCursor } from '../src/http/accountListCursor.ts';
import { accountListQueryOf } from '../src/http/accountListRoute.ts';
import {
  accountListLimitDefault,
  accountListLimitMax,
  parseAccountListQuery,
} from '../src/http/requestParsing.ts';

function detailOf(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (error) {
    assert.ok(error instanceof LedgerError, String(error));
    assert.equal(error.code, 'invalid_request');
    return error.detail;
  }
}

void describe('account listing cursor', () => {
  void it('given an account id, when encoded and decoded, then it round-trips URL-safe', () => {
    for (const accountId of ['a', 'alice.x:1', 'acme-0001', 'Z'.repeat(64)]) {
      const text = encodeAccountListCursor(accountId);
      assert.match(text, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodeAccountListCursor(text), accountId);
    }
  });

  void it('given forged or damaged cursors, when decoded, then each is refused as invalid_request', () => {
    const forged = (raw: string) => Buffer.from(raw).toString('base64url');
    for (const text of [
      '',
      'not a cursor',
      'a'.repeat(257),
      forged('a1:'),
      forged('a2:alice'),
      forged('h1:3:alice'),
      forged('a1:bad id'),
      forged(`a1:${'x'.repeat(65)}`),
      forged('a1:-starts-with-dash'),
    ]) {
      assert.equal(
        detailOf(() => decodeAccountListCursor(text)),
        'cursor is not one this API returned',
        text,
      );
    }
  });
});

void describe('account listing query', () => {
  void it('given no query, when parsed, then the default limit and no cursor or filters', () => {
    assert.deepEqual(parseAccountListQuery(undefined), {
      limit: accountListLimitDefault,
      afterAccountId: undefined,
      status: undefined,
      currency: undefined,
    });
  });

  void it('given every parameter, when parsed, then the cursor is decoded and the filters kept', () => {
    const cursor = encodeAccountListCursor('bob');
    assert.deepEqual(
      parseAccountListQuery(`limit=200&cursor=${cursor}&status=frozen&currency=EUR`),
      { limit: 200, afterAccountId: 'bob', status: 'frozen', currency: 'EUR' },
    );
  });

  for (const [query, expected] of [
    ['limit=0', /limit must be an integer from 1 to 200/],
    [`limit=${accountListLimitMax + 1}`, /limit must be/],
    ['limit=01', /limit must be/],
    ['limit=-1', /limit must be/],
    ['status=active', /status must be one of open, frozen, closed/],
    ['status=OPEN', /status must be one of/],
    ['currency=usd', /currency must match/],
    ['currency=USDX', /currency must match/],
    ['cursor=', /cursor is not one this API returned/],
    ['minVersion=3', /unknown query parameter "minVersion"/],
    ['status=open&status=closed', /given twice/],
  ] as const) {
    void it(`given ${query}, when parsed, then invalid_request`, () => {
      assert.match(
        detailOf(() => parseAccountListQuery(query)),
        expected,
      );
    });
  }
});

void describe('account listing range', () => {
  const tenant: Principal = { ...anonymousPrincipal, keyId: 'k', accountPrefix: 'acme-' };
  const options = { limit: 10, afterAccountId: undefined, status: undefined, currency: undefined };

  void it('given no tenant, when the range is made, then it spans every id', () => {
    const query = accountListQueryOf(anonymousPrincipal, options);
    assert.equal(query.fromId, '');
    assert.equal(query.afterId, '');
    for (const id of ['0', 'A', 'zzzz', 'z'.repeat(64)]) assert.ok(id < query.beforeId, id);
  });

  void it('given a tenant key, when the range is made, then it holds the prefix ids and no others', () => {
    const query = accountListQueryOf(tenant, { ...options, afterAccountId: 'acme-7' });
    assert.equal(query.afterId, 'acme-7');
    const inside = (id: string) => id >= query.fromId && id < query.beforeId;
    for (const id of ['acme-', 'acme-0', 'acme-zz', `acme-${'z'.repeat(59)}`, 'acme-a:b.c_d']) {
      assert.ok(inside(id), id);
    }
    for (const id of ['acme', 'acme.', 'acme_1', 'acmf-1', 'acm', 'bob', 'ACME-1']) {
      assert.ok(!inside(id), id);
    }
  });
});
