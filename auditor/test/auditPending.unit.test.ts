import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultAuditLimits } from '../src/auditLimits.ts';
import type { AuditState } from '../src/auditState.ts';
import { byPartition } from './handBuiltLog.ts';
import { audit, fundedLog, t0 } from './pendingLog.ts';

/** Holds posted in part and in full, voided, expired, refused, and two left pending. */
function holdsLog() {
  const log = fundedLog();
  log.hold('h-1', 'alice', 'bob', 300n, t0 + 1_000);
  log.hold('h-2', 'alice', 'carol', 200n, t0 + 12);
  log.hold('h-3', 'alice', 'bob', 100n);
  log.hold('h-4', 'alice', 'carol', 50n, t0 + 1_000);
  log.hold('h-5', 'funding', 'bob', 70n);
  log.postPending('h-1', 120n); // posts 120, releases all 300
  log.voidPending('h-3');
  log.voidPending('h-2', { reason: 'expired' }); // event 13: past h-2's expiresAt
  log.rejectSettlement('h-3', 'void', 'transfer_not_pending');
  log.post('t-2', 'alice', 'carol', 100n); // 1000 − 120 − 100 = 780, 50 held: 730 available
  log.hold('h-6', 'bob', 'alice', 20n);
  log.postPending('h-6');
  return log;
}

function bookOf(state: AuditState, accountId: string) {
  const book = state.accounts.get(accountId);
  assert.ok(book);
  return { balance: book.balance, held: book.held, version: book.version };
}

describe('auditor core: pending transfers, a correct log', () => {
  it('given holds posted in part and in full, voided, expired and left pending, when checked, then it passes with what is still pending', () => {
    const log = holdsLog();
    const { result, state } = audit(log.inputs);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.deepEqual(result.totals, {
      eventsByType: {
        AccountOpened: 4,
        PendingPosted: 2,
        PendingVoided: 2,
        SettlementRejected: 1,
        TransferPending: 6,
        TransferPosted: 2,
      },
      identicalDuplicates: 0,
      postedByCurrency: { USD: { transfers: 2, amount: '1100' } },
      pendingByCurrency: { USD: { transfers: 2, amount: '120' } }, // h-4 (50) and h-5 (70)
      accountsOpened: 4,
      accountsByStatus: { open: 4, frozen: 0, closed: 0 },
      accountChanges: { freeze: 0, unfreeze: 0, close: 0, update_metadata: 0 },
      finalBalanceSumByCurrency: { USD: '0' },
    });
    assert.deepEqual(bookOf(state, 'alice'), { balance: 800n, held: 50n, version: 11 });
    assert.deepEqual(bookOf(state, 'funding'), { balance: -1000n, held: 70n, version: 3 });
    for (const account of ['funding', 'alice', 'bob', 'carol']) {
      assert.equal(bookOf(state, account).balance, log.balanceOf(account), account);
      assert.equal(bookOf(state, account).held, log.heldOf(account), account);
    }
  });

  it('given the same log read partition by partition (credits before their accounts’ earlier entries), when checked, then it passes', () => {
    const { result } = audit(byPartition(holdsLog().inputs));
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.deepEqual(result.totals.pendingByCurrency, { USD: { transfers: 2, amount: '120' } });
  });

  it('given a hold republished identically, when checked, then it is a duplicate, not a second hold', () => {
    const log = holdsLog();
    const hold = log.inputs[5]!;
    const republished = { ...hold, position: { ...hold.position, offset: '99' } };
    const { result } = audit([...log.inputs, republished]);
    assert.ok(result.outcome === 'ok', JSON.stringify(result));
    assert.equal(result.totals.identicalDuplicates, 1);
  });
});

describe('auditor core: pending transfers, limits', () => {
  it('given more pending transfers than pendingTransfersMax, when checked, then a limit, not a violation', () => {
    const { result } = audit(holdsLog().inputs, { ...defaultAuditLimits, pendingTransfersMax: 3 });
    assert.ok(result.outcome === 'limit', JSON.stringify(result));
    assert.equal(result.limit, 'pendingTransfersMax');
  });
});
