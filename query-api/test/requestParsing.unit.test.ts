import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import {
  historyLimitDefault,
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
