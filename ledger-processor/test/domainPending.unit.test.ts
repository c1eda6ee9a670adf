import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import {
  commandProblem,
  decideBatch,
  emptySnapshot,
  snapshotKeys,
  type BatchDecision,
  type DomainEvent,
} from '../src/domain/index.ts';
import { eventIds, nowMs, openAccount, resent, settle, transfer } from './domainFixtures.ts';
import { ModelLedger } from './domainModelLedger.ts';
import { settlementRejectionCases } from './domainPendingCases.ts';

/** alice funded with 100 by the bank (so at version 2, no overdraft) and an empty bob. */
function givenAliceAndBob(): ModelLedger {
  const ledger = new ModelLedger();
  ledger.run(
    [
      openAccount({ accountId: 'bank', overdraftLimit: 1_000_000n }),
      openAccount({ accountId: 'alice' }),
      openAccount({ accountId: 'bob' }),
      transfer({ from: 'bank', to: 'alice', amount: 100n }),
    ],
    nowMs,
  );
  return ledger;
}

const hold = (amount: bigint, timeoutSeconds?: number) =>
  transfer({
    from: 'alice',
    to: 'bob',
    amount,
    transferId: 'h-1',
    pending: timeoutSeconds === undefined ? {} : { timeoutSeconds },
  });
const onHold = { transferId: 'h-1', from: 'alice', to: 'bob' } as const;

const stateOf = (ledger: ModelLedger, id: string) => {
  const stored = ledger.accounts.get(id);
  return [stored?.balance, stored?.held, stored?.version];
};
const only = (result: BatchDecision): DomainEvent => {
  assert.equal(result.events.length, 1);
  const [event] = result.events;
  assert.ok(event !== undefined);
  return event;
};

void describe('domain: pending transfers (holds)', () => {
  void it('given alice with 100, when she holds 30 for bob, then her balance stays, 30 is held, her version rises and bob is untouched', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run([hold(30n, 60)], nowMs);
    const event = only(result);
    assert.equal(event.type, 'TransferPending');
    assert.deepEqual(event.debit, {
      accountId: 'alice',
      balanceAfter: 100n,
      heldAfter: 30n,
      version: 3,
    });
    assert.equal(event.expiresAtMs, nowMs + 60_000);
    assert.deepEqual(result.decisions[0]?.outcome.versions, { alice: 3 });
    assert.deepEqual(
      result.journal.map((l) => [l.accountId, l.kind, l.amount, l.heldChange, l.heldAfter]),
      [['alice', 'pending', 0n, 30n, 30n]],
    );
    assert.equal(result.transfers[0]?.status, 'pending');
    assert.equal(result.transfers[0]?.expiresAtMs, nowMs + 60_000);
    assert.deepEqual(stateOf(ledger, 'alice'), [100n, 30n, 3]);
    assert.deepEqual(stateOf(ledger, 'bob'), [0n, 0n, 1]);
    ledger.assertInvariants();
  });

  void it('given 30 of 100 held, when alice sends or holds more than the 70 available, then insufficient_funds; exactly 70 posts', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const [refused] = ledger.run(
      [transfer({ from: 'alice', to: 'bob', amount: 71n })],
      nowMs,
    ).decisions;
    assert.equal(refused?.outcome.code, 'insufficient_funds');
    const pending = transfer({ from: 'alice', to: 'bob', amount: 71n, pending: {} });
    const [refusedHold] = ledger.run([pending], nowMs).decisions;
    assert.equal(refusedHold?.outcome.code, 'insufficient_funds');
    const [spent] = ledger.run(
      [transfer({ from: 'alice', to: 'bob', amount: 70n })],
      nowMs,
    ).decisions;
    assert.equal(spent?.kind, 'applied');
    assert.deepEqual(stateOf(ledger, 'alice'), [30n, 30n, 4]);
    ledger.assertInvariants();
  });

  void it('given a hold of 30, when it is posted whole, then 30 moves and nothing stays held', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const result = ledger.run([settle({ ...onHold, action: 'post' })], nowMs + 1);
    const event = only(result);
    assert.equal(event.type, 'PendingPosted');
    assert.deepEqual([event.amount, event.pendingAmount], [30n, 30n]);
    assert.deepEqual(stateOf(ledger, 'alice'), [70n, 0n, 4]);
    assert.deepEqual(stateOf(ledger, 'bob'), [30n, 0n, 2]);
    assert.deepEqual(result.decisions[0]?.outcome.balances, { alice: 70n, bob: 30n });
    assert.deepEqual(result.settlements, [
      {
        transferId: 'h-1',
        action: 'post',
        amount: 30n,
        commandId: result.decisions[0]?.command.commandId,
        requestHash: result.decisions[0]?.command.requestHash,
        decidedAtMs: nowMs + 1,
      },
    ]);
    ledger.assertInvariants();
  });

  void it('given a hold of 30, when 20 of it is posted, then 20 moves and the other 10 is released', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const result = ledger.run([settle({ ...onHold, action: 'post', amount: 20n })], nowMs);
    assert.deepEqual(
      result.journal.map((l) => [l.accountId, l.kind, l.amount, l.heldChange]),
      [
        ['alice', 'posted', -20n, -30n],
        ['bob', 'posted', 20n, 0n],
      ],
    );
    assert.deepEqual(stateOf(ledger, 'alice'), [80n, 0n, 4]);
    assert.deepEqual(stateOf(ledger, 'bob'), [20n, 0n, 2]);
    ledger.assertInvariants();
  });

  void it('given a hold of 30, when it is voided, then it is released and nothing moves', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const event = only(ledger.run([settle({ ...onHold, action: 'void' })], nowMs));
    assert.equal(event.type, 'PendingVoided');
    assert.equal(event.reason, 'voided');
    assert.deepEqual(stateOf(ledger, 'alice'), [100n, 0n, 4]);
    assert.deepEqual(stateOf(ledger, 'bob'), [0n, 0n, 1]);
    ledger.assertInvariants();
  });

  void it('given a hold with a 60 s timeout, when an expiry as of its deadline is decided, then it is released as expired', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n, 60)], nowMs);
    const expiry = settle({ ...onHold, action: 'expire', asOfMs: nowMs + 60_000 });
    // Decided by the time in the command, not by the batch's clock (which lags here).
    const event = only(ledger.run([expiry], nowMs + 1));
    assert.equal(event.type, 'PendingVoided');
    assert.equal(event.reason, 'expired');
    assert.equal(ledger.settlements.get('h-1')?.record.action, 'expire');
    assert.deepEqual(stateOf(ledger, 'alice'), [100n, 0n, 4]);
    ledger.assertInvariants();
  });

  void it('given a posted hold, when the same post is sent again, then it replays the first outcome and writes nothing', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const post = settle({ ...onHold, action: 'post', amount: 25n });
    const first = ledger.run([post], nowMs).decisions[0];
    const again = ledger.run([resent(post)], nowMs);
    const [replay] = again.decisions;
    assert.equal(replay?.kind, 'duplicate');
    assert.deepEqual(replay.outcome.balances, first?.outcome.balances);
    assert.equal(replay.kind === 'duplicate' && replay.replayOf, first?.command.commandId);
    assert.deepEqual([again.events, again.journal, again.settlements], [[], [], []]);
    ledger.assertInvariants();
  });

  void it('given a hold, when one batch posts it and then voids it, then the post wins and the void is transfer_not_pending', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n)], nowMs);
    const result = ledger.run(
      [settle({ ...onHold, action: 'post' }), settle({ ...onHold, action: 'void' })],
      nowMs,
    );
    assert.deepEqual(
      result.decisions.map((d) => [d.kind, d.outcome.code]),
      [
        ['applied', undefined],
        ['rejected', 'transfer_not_pending'],
      ],
    );
    assert.equal(result.events[1]?.type, 'SettlementRejected');
    assert.equal(result.settlements.length, 1);
    assert.deepEqual(stateOf(ledger, 'bob'), [30n, 0n, 2]);
    ledger.assertInvariants();
  });

  void it('given one batch, when it holds, posts part and holds again on the freed amount, then each sees the one before', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        hold(100n),
        settle({ ...onHold, action: 'post', amount: 40n }),
        transfer({ from: 'alice', to: 'bob', amount: 60n, transferId: 'h-2', pending: {} }),
      ],
      nowMs,
    );
    assert.deepEqual(
      result.decisions.map((d) => d.kind),
      ['applied', 'applied', 'applied'],
    );
    assert.deepEqual(stateOf(ledger, 'alice'), [60n, 60n, 5]);
    ledger.assertInvariants();
  });

  void it('given an expiry already decided, when its command id is redelivered, then the stored outcome is replayed', () => {
    const ledger = givenAliceAndBob();
    ledger.run([hold(30n, 1)], nowMs);
    const expiry = settle({ ...onHold, action: 'expire', asOfMs: nowMs + 1_000 });
    ledger.run([expiry], nowMs + 1_000);
    const again = ledger.run([{ ...expiry, asOfMs: nowMs + 2_000 }], nowMs + 2_000);
    assert.equal(again.decisions[0]?.kind, 'duplicate');
    assert.deepEqual(again.events, []);
    ledger.assertInvariants();
  });

  void it('given a pending reversal or a void with an amount, then commandProblem names it and the decider refuses to see it', () => {
    const pendingReversal = transfer({
      from: 'bob',
      to: 'alice',
      amount: 1n,
      reversalOf: 't-0',
      pending: {},
    });
    assert.equal(commandProblem(pendingReversal), 'a reversal is never pending');
    const voidWithAmount = settle({ ...onHold, action: 'void', amount: 1n });
    assert.equal(commandProblem(voidWithAmount), 'only a post has an amount');
    const expireWithoutTime = settle({ ...onHold, action: 'expire' });
    assert.equal(commandProblem(expireWithoutTime), 'asOf is set exactly on an expire');
    const snapshot = emptySnapshot(snapshotKeys([voidWithAmount]));
    assert.throws(
      () => decideBatch({ commands: [voidWithAmount], snapshot, nowMs, nextEventId: eventIds() }),
      AssertionFailure,
    );
  });

  for (const row of settlementRejectionCases) {
    void it(`given ${row.given}, when ${row.when}, then ${row.then}`, () => {
      const ledger = new ModelLedger();
      for (const stored of row.accounts) ledger.seed(stored);
      if (row.before.length > 0) ledger.run(row.before, nowMs);
      const result = ledger.run([row.command], row.atMs ?? nowMs + 1);
      const [decision] = result.decisions;
      assert.equal(decision?.kind, 'rejected');
      assert.equal(decision.outcome.code, row.then);
      // A refused settlement is published and changes nothing.
      assert.equal(only(result).type, 'SettlementRejected');
      assert.deepEqual([result.journal, result.settlements, result.accountsChanged], [[], [], []]);
    });
  }
});
