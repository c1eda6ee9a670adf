import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '@ledger/schemas';
import { projectEvents } from '../src/readModelProjection.ts';
import { leg, posted, rejected } from './eventFixtures.ts';

const t0 = Date.UTC(2026, 0, 15, 9, 30);

/** The same event with the `reversalOf` a reversal carries (schema v2). */
function asReversalOf(event: LedgerEvent, transferId: string): LedgerEvent {
  return {
    ...event,
    payload: { ...event.payload, reversalOf: transferId } as LedgerEvent['payload'],
  };
}

void describe('read-model projection of reversals', () => {
  void it('given a posted reversal, when projected, then its transfer row names the transfer it reverses and the original row is not touched', () => {
    const changes = projectEvents([
      asReversalOf(posted('r-1', 'bob', 'alice', 40n, leg(60n, 3), leg(-60n, 5), t0), 't-1'),
    ]);
    assert.deepEqual(
      changes.transfers.map((row) => [row.transferId, row.status, row.reversalOf]),
      [['r-1', 'posted', 't-1']],
    );
  });

  void it('given a rejected reversal, when projected, then its row carries the link and the code', () => {
    const changes = projectEvents([
      asReversalOf(rejected('r-2', 'bob', 'alice', 999n, 'reversal_exceeds_transfer', t0), 't-1'),
    ]);
    assert.deepEqual(
      changes.transfers.map((row) => [row.transferId, row.code, row.reversalOf]),
      [['r-2', 'reversal_exceeds_transfer', 't-1']],
    );
  });

  void it('given an ordinary transfer, when projected, then its row has no link', () => {
    const changes = projectEvents([posted('t-2', 'a', 'b', 1n, leg(-1n, 2), leg(1n, 2), t0)]);
    assert.equal('reversalOf' in (changes.transfers[0] ?? {}), false);
  });
});
