import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import {
  historyLimitDefault,
  instantOf,
  parseBalanceQuery,
  parseHistoryQuery,
  parseReadQuery,
  waitMsDefault,
} from '../src/http/requestParsing.ts';
import { parseStreamRequest } from '../src/streamMessages.ts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof LedgerError ? error.code : 'not a LedgerError';
  }
}

void describe('request parsing', () => {
  void it('given no query, when parsed, then no minVersion and the default wait', () => {
    assert.deepEqual(parseReadQuery(undefined), { minVersion: undefined, waitMs: waitMsDefault });
    assert.deepEqual(parseReadQuery(''), { minVersion: undefined, waitMs: waitMsDefault });
  });

  void it('given minVersion and waitMs, when parsed, then both are numbers', () => {
    assert.deepEqual(parseReadQuery('minVersion=7&waitMs=10000'), {
      minVersion: 7,
      waitMs: 10_000,
    });
    assert.deepEqual(parseReadQuery('waitMs=0&minVersion=1'), { minVersion: 1, waitMs: 0 });
  });

  const refusedQueries: [string, string][] = [
    ['minVersion=0', 'zero'],
    ['minVersion=-1', 'negative'],
    ['minVersion=1.5', 'fraction'],
    ['minVersion=1e3', 'exponent'],
    ['minVersion=01', 'leading zero'],
    ['minVersion=', 'empty'],
    ['minVersion=99999999999999999', 'beyond a safe integer'],
    ['waitMs=10001', 'over waitMsMax'],
    ['waitMs=-5', 'negative wait'],
    ['waitMs=abc', 'not a number'],
    ['minversion=3', 'unknown parameter (case)'],
    ['minVersion=3&minVersion=4', 'given twice'],
    ['x='.padEnd(600, 'y'), 'too long'],
  ];
  for (const [query, why] of refusedQueries) {
    void it(`given ${why} (${query.slice(0, 30)}), when parsed, then invalid_request`, () => {
      assert.equal(
        codeOf(() => parseReadQuery(query)),
        'invalid_request',
      );
    });
  }

  void it('given a history query, when parsed, then limit, cursor and read options come out', () => {
    assert.deepEqual(parseHistoryQuery(undefined), {
      minVersion: undefined,
      waitMs: waitMsDefault,
      limit: historyLimitDefault,
      cursor: undefined,
    });
    assert.deepEqual(parseHistoryQuery('limit=200&cursor=abc&minVersion=2'), {
      minVersion: 2,
      waitMs: waitMsDefault,
      limit: 200,
      cursor: 'abc',
    });
  });

  for (const limit of ['0', '201', '-1', 'ten', '1.0']) {
    void it(`given limit=${limit}, when parsed, then invalid_request`, () => {
      assert.equal(
        codeOf(() => parseHistoryQuery(`limit=${limit}`)),
        'invalid_request',
      );
    });
  }
});

void describe('balance as-of parsing', () => {
  void it('given no as-of parameter, when parsed, then a plain read comes out', () => {
    assert.deepEqual(parseBalanceQuery(''), { minVersion: undefined, waitMs: waitMsDefault });
    assert.deepEqual(parseBalanceQuery('minVersion=4&waitMs=0'), { minVersion: 4, waitMs: 0 });
  });

  void it('given asOfVersion, when parsed, then the version with the default wait', () => {
    assert.deepEqual(parseBalanceQuery('asOfVersion=1'), {
      kind: 'version',
      asOfVersion: 1,
      waitMs: waitMsDefault,
    });
    assert.deepEqual(parseBalanceQuery('asOfVersion=9007199254740990&waitMs=0'), {
      kind: 'version',
      asOfVersion: 9_007_199_254_740_990,
      waitMs: 0,
    });
  });

  void it('given asOf in UTC, when parsed, then its epoch milliseconds', () => {
    assert.deepEqual(parseBalanceQuery('asOf=2026-01-15T09:30:00Z'), {
      kind: 'time',
      asOfMs: Date.parse('2026-01-15T09:30:00.000Z'),
    });
  });

  void it('given an offset, encoded or not, when parsed, then the same instant in UTC', () => {
    const utc = Date.parse('2026-01-15T08:30:00.250Z');
    assert.equal(instantOf('2026-01-15T10:00:00.250+01:30'), utc);
    assert.equal(instantOf('2026-01-15T03:30:00.250-05:00'), utc);
    assert.deepEqual(parseBalanceQuery('asOf=2026-01-15T09%3A30%3A00.250%2B01%3A00'), {
      kind: 'time',
      asOfMs: utc,
    });
    assert.equal(instantOf('2026-01-15t08:30:00.250z'), utc);
  });

  void it('given more than millisecond digits, when parsed, then they are cut, not rounded', () => {
    assert.equal(
      instantOf('2026-01-15T09:30:00.999999999Z'),
      Date.parse('2026-01-15T09:30:00.999Z'),
    );
    assert.equal(instantOf('2026-01-15T09:30:00.5Z'), Date.parse('2026-01-15T09:30:00.500Z'));
  });

  void it('given a year below 100 or a leap day, when parsed, then the calendar is kept', () => {
    assert.equal(instantOf('0050-03-01T00:00:00Z'), Date.parse('0050-03-01T00:00:00.000Z'));
    assert.equal(instantOf('2024-02-29T12:00:00Z'), Date.parse('2024-02-29T12:00:00.000Z'));
    assert.equal(instantOf('2000-02-29T12:00:00Z'), Date.parse('2000-02-29T12:00:00.000Z'));
  });

  const refusedAsOf: [string, string][] = [
    ['asOf=2026-01-15T09:30:00', 'a time without an offset'],
    ['asOf=2026-01-15', 'a date alone'],
    ['asOf=2026-01-15 09:30:00Z', 'a space for T'],
    ['asOf=2026-01-15T09:30Z', 'no seconds'],
    ['asOf=2026-13-01T00:00:00Z', 'month 13'],
    ['asOf=2026-02-29T00:00:00Z', 'Feb 29 of a common year'],
    ['asOf=1900-02-29T00:00:00Z', 'Feb 29 of a century year'],
    ['asOf=2026-04-31T00:00:00Z', 'April 31'],
    ['asOf=2026-01-15T24:00:00Z', 'hour 24'],
    ['asOf=2026-12-31T23:59:60Z', 'a leap second'],
    ['asOf=2026-01-15T09:30:00+24:00', 'offset hour 24'],
    ['asOf=2026-01-15T09:30:00+0100', 'offset without a colon'],
    ['asOf=2026-01-15T09:30:00.Z', 'an empty fraction'],
    ['asOf=2026-01-15T09:30:00.1234567890Z', 'a fraction past nanoseconds'],
    ['asOf=1768469400000', 'epoch milliseconds'],
    ['asOf=', 'empty'],
    ['asOfVersion=0', 'version zero'],
    ['asOfVersion=-1', 'a negative version'],
    ['asOfVersion=01', 'a leading zero'],
    ['asOfVersion=1.0', 'a fraction'],
    ['asOfVersion=99999999999999999', 'a version beyond a safe integer'],
    ['asOfVersion=9007199254740991', 'a version beyond the ledger bound'],
    ['asOfVersion=', 'an empty version'],
    ['asOf=2026-01-15T09:30:00Z&asOfVersion=3', 'both at once'],
    ['asOfVersion=3&minVersion=3', 'asOfVersion with minVersion'],
    ['asOf=2026-01-15T09:30:00Z&minVersion=3', 'asOf with minVersion'],
    ['asOf=2026-01-15T09:30:00Z&waitMs=100', 'asOf with waitMs'],
    ['asOfVersion=3&waitMs=10001', 'asOfVersion with a wait over the bound'],
    ['asOfVersion=3&asOfVersion=4', 'asOfVersion twice'],
    ['asof=2026-01-15T09:30:00Z', 'asof in lower case'],
  ];
  for (const [query, why] of refusedAsOf) {
    void it(`given ${why} (${query.slice(0, 40)}), when parsed, then invalid_request`, () => {
      assert.equal(
        codeOf(() => parseBalanceQuery(query)),
        'invalid_request',
      );
    });
  }

  void it('given an offset whose + was not encoded, when parsed, then the detail says so', () => {
    assert.throws(
      () => parseBalanceQuery('asOf=2026-01-15T10:30:00+01:00'),
      (error: unknown) => error instanceof LedgerError && error.detail.includes('means a space'),
    );
  });

  void it('given asOf on the account route, when parsed, then it is an unknown parameter', () => {
    assert.equal(
      codeOf(() => parseReadQuery('asOfVersion=2')),
      'invalid_request',
    );
  });
});

void describe('stream messages', () => {
  const text = (value: unknown) => Buffer.from(JSON.stringify(value));

  void it('given subscribe and unsubscribe frames, when parsed, then action and ids come out', () => {
    assert.deepEqual(parseStreamRequest(text({ subscribe: ['alice', 'bob'] }), false, 10), {
      action: 'subscribe',
      accountIds: ['alice', 'bob'],
    });
    assert.deepEqual(parseStreamRequest(text({ unsubscribe: ['bob'] }), false, 10), {
      action: 'unsubscribe',
      accountIds: ['bob'],
    });
  });

  const refused: [string, Buffer, boolean, string][] = [
    ['binary frame', text({ subscribe: ['a'] }), true, 'invalid_request'],
    ['not JSON', Buffer.from('{subscribe'), false, 'invalid_request'],
    ['an array', text(['a']), false, 'invalid_request'],
    ['both actions', text({ subscribe: ['a'], unsubscribe: ['b'] }), false, 'invalid_request'],
    ['unknown action', text({ follow: ['a'] }), false, 'invalid_request'],
    ['empty list', text({ subscribe: [] }), false, 'invalid_request'],
    ['too many ids', text({ subscribe: ['a', 'b', 'c'] }), false, 'invalid_request'],
    ['a number id', text({ subscribe: [1] }), false, 'invalid_id'],
    ['a bad id', text({ subscribe: ['no spaces'] }), false, 'invalid_id'],
  ];
  for (const [why, frame, isBinary, code] of refused) {
    void it(`given ${why}, when parsed, then ${code}`, () => {
      assert.equal(
        codeOf(() => parseStreamRequest(frame, isBinary, 2)),
        code,
      );
    });
  }
});
