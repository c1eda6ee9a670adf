import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError } from '@ledger/runtime';
import { decodeHistoryCursor, encodeHistoryCursor } from '../src/http/historyCursor.ts';

function detailOf(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (error) {
    assert.ok(error instanceof LedgerError);
    assert.equal(error.code, 'invalid_request');
    return error.detail;
  }
}

void describe('history cursor', () => {
  void it('given a cursor we encoded, when decoded for the same account, then it round-trips', () => {
    for (const beforeVersion of [1, 2, 51, 9_007_199_254_740_990]) {
      const text = encodeHistoryCursor({ accountId: 'alice.x:1', beforeVersion });
      assert.match(text, /^[A-Za-z0-9_-]+$/, 'URL-safe without escaping');
      assert.deepEqual(decodeHistoryCursor(text, 'alice.x:1'), {
        accountId: 'alice.x:1',
        beforeVersion,
      });
    }
  });

  void it('given another account in the URL, when decoded, then it is refused', () => {
    const text = encodeHistoryCursor({ accountId: 'alice', beforeVersion: 5 });
    assert.match(
      detailOf(() => decodeHistoryCursor(text, 'bob')),
      /another account/,
    );
  });

  void it('given forged or damaged cursors, when decoded, then each is refused as invalid_request', () => {
    const forged = (raw: string) => Buffer.from(raw).toString('base64url');
    for (const text of [
      '',
      'not base64!',
      forged('h1:0:alice'),
      forged('h1:-3:alice'),
      forged('h1:01:alice'),
      forged('h2:5:alice'),
      forged('h1:99999999999999999:alice'),
      forged('h1:5'),
      'A'.repeat(300),
    ]) {
      assert.match(
        detailOf(() => decodeHistoryCursor(text, 'alice')),
        /cursor/,
        text,
      );
    }
  });
});
