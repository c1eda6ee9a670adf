import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import {
  accountChangeRejection,
  commandProblem,
  decideBatch,
  emptySnapshot,
  snapshotKeys,
  type BatchDecision,
  type DomainEvent,
} from '../src/domain/index.ts';
import {
  account,
  changeAccount,
  eventIds,
  nowMs,
  openAccount,
  transfer,
} from './domainFixtures.ts';
import {
  accountChangeRejectionCases,
  givenAliceAndBob,
  outcomesOf,
  settingsOf,
} from './domainAccountChangeCases.ts';
import { ModelLedger } from './domainModelLedger.ts';

const only = (result: BatchDecision): DomainEvent => {
  assert.equal(result.events.length, 1);
  const [event] = result.events;
  assert.ok(event !== undefined);
  return event;
};
void describe('domain: account changes', () => {
  void it('given alice open at revision 1, when she is frozen, then AccountChanged states frozen and revision 2, and only her settings change', () => {
    const ledger = givenAliceAndBob();
    const freeze = changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k-1' });
    const result = ledger.run([freeze], nowMs + 1);
    const event = only(result);
    assert.deepEqual(event, {
      type: 'AccountChanged',
      eventId: 'b2-1',
      commandId: freeze.commandId,
      occurredAtMs: nowMs + 1,
      requestHash: freeze.requestHash,
      idempotencyKey: 'k-1',
      accountId: 'alice',
      change: 'freeze',
      status: 'frozen',
      metadata: { owner: 'alice' },
      revision: 2,
      version: 2,
    });
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'applied');
    // Its version is reported unchanged: a change is not an entry.
    assert.deepEqual(
      [decision.outcome.kind, decision.outcome.versions, decision.outcome.revision],
      ['account_change', { alice: 2 }, 2],
    );
    assert.deepEqual(result.accountChanges, [
      {
        accountId: 'alice',
        revision: 2,
        version: 2,
        commandId: freeze.commandId,
        idempotencyKey: 'k-1',
        requestHash: freeze.requestHash,
        change: 'freeze',
        status: 'frozen',
        metadata: { owner: 'alice' },
        changedAtMs: nowMs + 1,
      },
    ]);
    assert.deepEqual(result.accountsChanged, [
      {
        accountId: 'alice',
        expectedVersion: 2,
        version: 2,
        balance: 100n,
        held: 0n,
        expectedRevision: 1,
        revision: 2,
        status: 'frozen',
        metadata: { owner: 'alice' },
      },
    ]);
    assert.deepEqual(result.journal, []);
    assert.deepEqual(settingsOf(ledger, 'alice'), ['frozen', 2, 2, { owner: 'alice' }]);
    ledger.assertInvariants();
  });

  void it('given alice frozen, when she is unfrozen expecting revision 2, then she is open at revision 3', () => {
    const ledger = givenAliceAndBob();
    ledger.run([changeAccount({ accountId: 'alice', change: 'freeze' })], nowMs);
    const unfreeze = changeAccount({ accountId: 'alice', change: 'unfreeze', expectedRevision: 2 });
    const event = only(ledger.run([unfreeze], nowMs));
    assert.equal(event.type === 'AccountChanged' && event.status, 'open');
    assert.deepEqual(settingsOf(ledger, 'alice'), ['open', 3, 2, { owner: 'alice' }]);
    ledger.assertInvariants();
  });

  void it('given an open and a frozen account, when their metadata is updated, then the whole map is replaced and the status stays', () => {
    const ledger = givenAliceAndBob();
    ledger.run([changeAccount({ accountId: 'bob', change: 'freeze' })], nowMs);
    const metadata = { tier: 'gold' };
    const result = ledger.run(
      [
        changeAccount({ accountId: 'alice', change: 'update_metadata', metadata }),
        changeAccount({ accountId: 'bob', change: 'update_metadata', metadata: {} }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'applied']);
    assert.deepEqual(settingsOf(ledger, 'alice'), ['open', 2, 2, { tier: 'gold' }]);
    assert.deepEqual(settingsOf(ledger, 'bob'), ['frozen', 3, 1, {}]);
    ledger.assertInvariants();
  });

  void it('given an empty open and an empty frozen account, when both are closed, then both are closed and every later change is account_closed', () => {
    const ledger = givenAliceAndBob();
    ledger.run([openAccount({ accountId: 'carol' })], nowMs);
    ledger.run([changeAccount({ accountId: 'carol', change: 'freeze' })], nowMs);
    const result = ledger.run(
      [
        changeAccount({ accountId: 'bob', change: 'close' }),
        changeAccount({ accountId: 'carol', change: 'close', expectedRevision: 2 }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(result), ['applied', 'applied']);
    assert.deepEqual(settingsOf(ledger, 'carol'), ['closed', 3, 1, {}]);
    const later = ledger.run(
      [
        changeAccount({ accountId: 'bob', change: 'freeze' }),
        changeAccount({ accountId: 'bob', change: 'unfreeze' }),
        changeAccount({ accountId: 'bob', change: 'close' }),
        changeAccount({ accountId: 'bob', change: 'update_metadata', metadata: {} }),
        transfer({ from: 'alice', to: 'bob', amount: 1n }),
      ],
      nowMs,
    );
    assert.deepEqual(outcomesOf(later), Array<string>(5).fill('account_closed'));
    assert.deepEqual(settingsOf(ledger, 'bob'), ['closed', 2, 1, {}]);
    ledger.assertInvariants();
  });

  for (const row of accountChangeRejectionCases) {
    void it(`given ${row.given}, when ${row.when}, then ${row.then}`, () => {
      const ledger = new ModelLedger();
      for (const stored of row.accounts) ledger.seed(stored);
      if (row.before.length > 0) ledger.run(row.before, nowMs);
      const result = ledger.run([row.command], nowMs + 1);
      const [decision] = result.decisions;
      assert.equal(decision?.kind, 'rejected');
      assert.deepEqual([decision.outcome.code, decision.outcome.versions], [row.then, {}]);
      // A refused change is published and changes nothing.
      const event = only(result);
      assert.equal(event.type === 'AccountChangeRejected' && event.code, row.then);
      assert.deepEqual([result.accountChanges, result.accountsChanged], [[], []]);
    });
  }

  void it('given the rows decided on stored accounts, then accountChangeRejection agrees with the batch decider', () => {
    for (const row of accountChangeRejectionCases) {
      if (row.before.length > 0 || row.command.type !== 'ChangeAccount') continue;
      const { accountId } = row.command;
      const stored = row.accounts.find((a) => a.accountId === accountId);
      assert.equal(accountChangeRejection(row.command, stored), row.then, row.when);
    }
  });
});

void describe('domain: account change commands the decider must never see', () => {
  void it('given malformed changes, then commandProblem names each and the decider refuses them', () => {
    const bad = [
      [
        changeAccount({ accountId: 'bob', change: 'update_metadata' }),
        'metadata is set exactly on an update_metadata',
      ],
      [
        changeAccount({ accountId: 'bob', change: 'freeze', metadata: {} }),
        'metadata is set exactly on an update_metadata',
      ],
      [
        changeAccount({ accountId: 'bob', change: 'freeze', expectedRevision: 0 }),
        'expectedRevision is outside [1, 9007199254740990]',
      ],
      [
        { ...changeAccount({ accountId: 'bob', change: 'freeze' }), change: 'delete' },
        'change is not one of freeze, unfreeze, close, update_metadata',
      ],
      [
        { ...changeAccount({ accountId: 'bob', change: 'update_metadata' }), metadata: { a: 1 } },
        'metadata has a value that is not a string',
      ],
    ] as const;
    for (const [command, problem] of bad) {
      // @ts-expect-error -- the malformed rows are not valid commands on purpose
      assert.equal(commandProblem(command), problem);
    }
    const [command] = bad[0];
    const snapshot = emptySnapshot(snapshotKeys([command]));
    assert.throws(
      () => decideBatch({ commands: [command], snapshot, nowMs, nextEventId: eventIds() }),
      AssertionFailure,
    );
  });

  void it('given a batch of changes, then its snapshot keys name each (account, key) once, in order, and a snapshot without them is refused', () => {
    const commands = [
      changeAccount({ accountId: 'bob', change: 'freeze', idempotencyKey: 'k-2' }),
      changeAccount({ accountId: 'alice', change: 'freeze', idempotencyKey: 'k-9' }),
      changeAccount({ accountId: 'bob', change: 'close', idempotencyKey: 'k-1' }),
      changeAccount({ accountId: 'bob', change: 'close', idempotencyKey: 'k-1' }),
    ];
    const keys = snapshotKeys(commands);
    assert.deepEqual(keys.accountIds, ['alice', 'bob']);
    assert.deepEqual(keys.accountChangeKeys, [
      { accountId: 'alice', idempotencyKey: 'k-9' },
      { accountId: 'bob', idempotencyKey: 'k-1' },
      { accountId: 'bob', idempotencyKey: 'k-2' },
    ]);
    const snapshot = emptySnapshot({ ...keys, accountChangeKeys: keys.accountChangeKeys.slice(1) });
    assert.throws(
      () => decideBatch({ commands, snapshot, nowMs, nextEventId: eventIds() }),
      AssertionFailure,
    );
    assert.deepEqual(
      snapshotKeys([transfer({ from: 'a', to: 'b', amount: 1n })]).accountChangeKeys,
      [],
    );
  });
});

void describe('domain: account changes on stored accounts', () => {
  void it('given a stored account that is closed but holds money, then the snapshot is refused (accounts_closed_empty)', () => {
    const command = changeAccount({ accountId: 'bob', change: 'freeze' });
    const ledger = new ModelLedger();
    ledger.seed(account({ accountId: 'bob', status: 'closed', balance: 5n }));
    assert.throws(() => ledger.run([command], nowMs), AssertionFailure);
  });
});
