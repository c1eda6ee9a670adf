import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { account, nowMs, openAccount, resent, transfer } from './domainFixtures.ts';
import { ModelLedger } from './domainModelLedger.ts';

/** A ledger with a funded alice (via a bank account with an overdraft) and an empty bob. */
function givenFundedAlice(): ModelLedger {
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

void describe('domain: idempotency across batches', () => {
  void it('given a posted transfer, when the same request comes again, then it replays the first outcome and posts nothing', () => {
    const ledger = givenFundedAlice();
    const first = transfer({ from: 'alice', to: 'bob', amount: 30n });
    const [original] = ledger.run([first], nowMs).decisions;
    const again = resent(first);
    const result = ledger.run([again], nowMs + 1);
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.replayOf, first.commandId);
    assert.deepEqual(decision.outcome, {
      ...original?.outcome,
      commandId: again.commandId,
      replayOf: first.commandId,
      decidedAtMs: nowMs + 1,
    });
    assert.deepEqual([result.events, result.journal, result.transfers], [[], [], []]);
    assert.deepEqual(result.outcomes, [decision.outcome]);
    ledger.assertInvariants();
  });

  void it('given a rejected transfer, when the same request comes again after funding, then it replays the rejection', () => {
    const ledger = givenFundedAlice();
    const first = transfer({ from: 'alice', to: 'bob', amount: 500n });
    ledger.run([first], nowMs);
    ledger.run([transfer({ from: 'bank', to: 'alice', amount: 1_000n })], nowMs);
    const [decision] = ledger.run([resent(first)], nowMs).decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.outcome.code, 'insufficient_funds');
  });

  void it('given a transfer, when its key is reused with another amount, then idempotency_conflict and no event', () => {
    const ledger = givenFundedAlice();
    ledger.run([transfer({ from: 'alice', to: 'bob', amount: 30n, transferId: 'rent' })], nowMs);
    const result = ledger.run(
      [transfer({ from: 'alice', to: 'bob', amount: 31n, transferId: 'rent' })],
      nowMs,
    );
    assert.equal(result.decisions[0]?.kind, 'conflict');
    assert.equal(result.decisions[0].outcome.code, 'idempotency_conflict');
    assert.deepEqual([result.events, result.journal, result.transfers], [[], [], []]);
    assert.equal(ledger.accounts.get('alice')?.balance, 70n);
  });

  void it('given a transfer, when another key reuses its transferId, then idempotency_conflict', () => {
    const ledger = givenFundedAlice();
    ledger.run([transfer({ from: 'alice', to: 'bob', amount: 30n, transferId: 'rent' })], nowMs);
    const clash = transfer({
      from: 'alice',
      to: 'bob',
      amount: 30n,
      transferId: 'rent',
      idempotencyKey: 'k-2',
    });
    const [decision] = ledger.run([clash], nowMs).decisions;
    assert.equal(decision?.kind, 'conflict');
  });

  void it('given a transfer whose id the API generated, when the client retries under its key, then the first transferId stands', () => {
    const ledger = givenFundedAlice();
    const fields = {
      from: 'alice',
      to: 'bob',
      amount: 30n,
      idempotencyKey: 'pay-1',
      generatedTransferId: true,
    };
    ledger.run([transfer({ ...fields, transferId: 'gen-1' })], nowMs);
    const [decision] = ledger.run([transfer({ ...fields, transferId: 'gen-2' })], nowMs).decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.outcome.subjectId, 'gen-1');
    assert.equal(ledger.transfers.has('gen-2'), false);
  });

  void it('given a decided command, when Kafka redelivers it, then its own outcome is replayed and nothing is written', () => {
    const ledger = givenFundedAlice();
    const first = transfer({ from: 'alice', to: 'bob', amount: 30n });
    ledger.run([first], nowMs);
    const result = ledger.run([first], nowMs);
    assert.equal(result.decisions[0]?.kind, 'duplicate');
    assert.equal(result.decisions[0].replayOf, first.commandId);
    assert.deepEqual(result.outcomes, []);
    ledger.assertInvariants();
  });

  void it('given an open account, when it is opened again with the same body, then the first opening is replayed', () => {
    const ledger = givenFundedAlice();
    const opening = openAccount({ accountId: 'dave', metadata: { name: 'Dave' } });
    ledger.run([opening], nowMs);
    ledger.run([transfer({ from: 'bank', to: 'dave', amount: 5n })], nowMs);
    const [decision] = ledger.run([resent(opening)], nowMs).decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.replayOf, opening.commandId);
    assert.deepEqual(decision.outcome.versions, { dave: 1 });
    assert.equal(ledger.accounts.get('dave')?.balance, 5n);
  });
});

void describe('domain: idempotency inside one batch', () => {
  void it('given one batch, when a transfer, its retry and a conflicting reuse arrive together, then one posting', () => {
    const ledger = givenFundedAlice();
    const first = transfer({ from: 'alice', to: 'bob', amount: 30n, transferId: 'x' });
    const result = ledger.run(
      [
        first,
        resent(first),
        first,
        transfer({ from: 'alice', to: 'bob', amount: 1n, transferId: 'x' }),
      ],
      nowMs,
    );
    assert.deepEqual(
      result.decisions.map((d) => d.kind),
      ['applied', 'duplicate', 'duplicate', 'conflict'],
    );
    assert.equal(result.journal.length, 2);
    assert.equal(result.outcomes.length, 3, 'the redelivered command id writes no second row');
    ledger.assertInvariants();
  });

  void it('given one batch, when an account is opened twice and then with another body, then opened, replayed, account_exists', () => {
    const ledger = new ModelLedger();
    const opening = openAccount({ accountId: 'erin' });
    const result = ledger.run(
      [opening, resent(opening), openAccount({ accountId: 'erin', overdraftLimit: 5n })],
      nowMs,
    );
    assert.deepEqual(
      result.decisions.map((d) => d.outcome.code ?? d.kind),
      ['applied', 'duplicate', 'account_exists'],
    );
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['AccountOpened', 'AccountOpenRejected'],
    );
  });

  void it('given a closed account seeded before any command, when it is opened with its own body, then it is a replay', () => {
    const ledger = new ModelLedger();
    const closed = account({ accountId: 'gone', status: 'closed' });
    ledger.seed(closed);
    const reopen = openAccount({ accountId: 'gone' });
    const [decision] = ledger.run(
      [{ ...reopen, requestHash: closed.openRequestHash }],
      nowMs,
    ).decisions;
    assert.equal(decision?.kind, 'duplicate');
  });
});
