import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchDecision } from '../src/domain/index.ts';
import { givenAliceAndBob, outcomesOf } from './domainAccountChangeCases.ts';
import { changeAccount, nowMs, resent, transfer } from './domainFixtures.ts';

const nothingWritten = (result: BatchDecision) =>
  assert.deepEqual(
    [result.events, result.accountChanges, result.accountsChanged, result.journal],
    [[], [], [], []],
  );

void describe('domain: account change idempotency', () => {
  void it('given a freeze under key k, when the same request comes again in a later batch, then it replays the first outcome and writes nothing', () => {
    const ledger = givenAliceAndBob();
    const freeze = changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k' });
    const [first] = ledger.run([freeze], nowMs).decisions;
    const again = resent(freeze);
    const result = ledger.run([again], nowMs + 5);
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.replayOf, freeze.commandId);
    // Not account_status_conflict: the retry is told what its first attempt did.
    assert.deepEqual(decision.outcome, {
      ...first?.outcome,
      commandId: again.commandId,
      replayOf: freeze.commandId,
      decidedAtMs: nowMs + 5,
      revision: 2,
    });
    nothingWritten(result);
    assert.deepEqual(result.outcomes, [decision.outcome]);
    ledger.assertInvariants();
  });

  void it('given a stored change whose outcome lacks the revision (command_outcomes has no column), when it is replayed, then the revision comes from its account_changes row', () => {
    const ledger = givenAliceAndBob();
    const freeze = changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k' });
    ledger.run([freeze], nowMs);
    const stored = ledger.accountChanges.get('alice/k');
    assert.ok(stored !== undefined);
    const { revision: _dropped, ...outcome } = stored.outcome;
    ledger.accountChanges.set('alice/k', { ...stored, outcome });
    const [decision] = ledger.run([resent(freeze)], nowMs).decisions;
    assert.deepEqual([decision?.kind, decision?.outcome.revision], ['duplicate', 2]);
  });

  void it('given a freeze under key k, when key k comes with another body, then idempotency_conflict and no event', () => {
    const ledger = givenAliceAndBob();
    ledger.run(
      [changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k' })],
      nowMs,
    );
    const result = ledger.run(
      [changeAccount({ accountId: 'alice', change: 'close', idempotencyKey: 'k' })],
      nowMs,
    );
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'conflict');
    assert.deepEqual(
      [decision.outcome.kind, decision.outcome.subjectId, decision.outcome.code],
      ['account_change', 'alice', 'idempotency_conflict'],
    );
    nothingWritten(result);
    ledger.assertInvariants();
  });

  void it('given one batch, when it holds a freeze, its retry and a conflicting reuse of the key, then applied, duplicate, conflict', () => {
    const ledger = givenAliceAndBob();
    const freeze = changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k' });
    const result = ledger.run(
      [
        freeze,
        resent(freeze),
        changeAccount({ accountId: 'alice', change: 'unfreeze', idempotencyKey: 'k' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'duplicate', 'idempotency_conflict']);
    assert.equal(result.events.length, 1);
    assert.equal(result.accountChanges.length, 1);
    ledger.assertInvariants();
  });

  void it('given key k used on alice, when bob is changed under the same key k, then it is decided on its own (keys are per account)', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k' }),
        changeAccount({ accountId: 'bob', change: 'freeze', idempotencyKey: 'k' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'applied']);
    ledger.assertInvariants();
  });

  void it('given no Idempotency-Key (the key is the command id), when the same freeze is sent twice, then the second is account_status_conflict', () => {
    const ledger = givenAliceAndBob();
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'freeze' }),
        changeAccount({ accountId: 'alice', change: 'freeze' }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'account_status_conflict']);
  });

  void it('given a close refused under key k (not empty), when it is retried under k after alice emptied, then it is decided afresh and goes ahead', () => {
    const ledger = givenAliceAndBob();
    const close = changeAccount({ accountId: 'alice', change: 'close', idempotencyKey: 'k' });
    assert.deepEqual(outcomesOf(ledger.run([close], nowMs)), ['account_not_empty']);
    // Refusals own no key (account_changes holds accepted changes only).
    assert.equal(ledger.accountChanges.size, 0);
    ledger.run([transfer({ from: 'alice', to: 'bob', amount: 100n })], nowMs);
    const retried = ledger.run([resent(close)], nowMs);
    assert.deepEqual(outcomesOf(retried), ['applied']);
    ledger.assertInvariants();
  });

  void it('given a decided change, when its command id is redelivered, then the stored outcome is replayed under its own id and nothing is written', () => {
    const ledger = givenAliceAndBob();
    const freeze = changeAccount({ accountId: 'alice', change: 'freeze' });
    ledger.run([freeze], nowMs);
    const result = ledger.run([freeze], nowMs);
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'duplicate');
    assert.equal(decision.replayOf, freeze.commandId);
    nothingWritten(result);
    assert.deepEqual(result.outcomes, []);
  });
});
