import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure, rejectionCodes } from '@ledger/runtime';
import type {
  AccountState,
  BatchDecision,
  DomainCommand,
  OutcomeCode,
} from '../src/domain/index.ts';
import { amountMax, balanceMax, transferRejection } from '../src/domain/index.ts';
import { account, decideWith, openAccount, transfer } from './domainFixtures.ts';
import { accountChangeRejectionCases } from './domainAccountChangeCases.ts';
import { settlementRejectionCases } from './domainPendingCases.ts';
import { reversalRejectionCases } from './domainReversalCases.ts';

interface RejectionCase {
  readonly given: string;
  readonly accounts: readonly AccountState[];
  readonly when: string;
  readonly command: DomainCommand;
  readonly then: OutcomeCode;
}

function balanceOf(result: BatchDecision, accountId: string): bigint | undefined {
  return result.accountsChanged.find((change) => change.accountId === accountId)?.balance;
}

const alice = account({ accountId: 'alice', balance: 100n });
const bob = account({ accountId: 'bob' });
const euro = account({ accountId: 'euro', currency: 'EUR' });
const overdrawn = account({ accountId: 'over', balance: -40n, overdraftLimit: 50n });

/** One row per way a command is refused; every code the processor decides appears. */
const rejectionTable: readonly RejectionCase[] = [
  {
    given: 'no account "ghost"',
    accounts: [bob],
    when: 'ghost sends to bob',
    command: transfer({ from: 'ghost', to: 'bob', amount: 1n }),
    then: 'account_not_found',
  },
  {
    given: 'no account "ghost"',
    accounts: [alice],
    when: 'alice sends to ghost',
    command: transfer({ from: 'alice', to: 'ghost', amount: 1n }),
    then: 'account_not_found',
  },
  {
    given: 'a USD and a EUR account',
    accounts: [alice, euro],
    when: 'alice sends USD to the EUR account',
    command: transfer({ from: 'alice', to: 'euro', amount: 1n }),
    then: 'currency_mismatch',
  },
  {
    given: 'two USD accounts',
    accounts: [alice, bob],
    when: 'the transfer is in EUR',
    command: transfer({ from: 'alice', to: 'bob', amount: 1n, currency: 'EUR' }),
    then: 'currency_mismatch',
  },
  {
    given: 'alice',
    accounts: [alice],
    when: 'alice sends to herself',
    command: transfer({ from: 'alice', to: 'alice', amount: 1n }),
    then: 'same_account',
  },
  {
    given: 'alice with 100 and no overdraft',
    accounts: [alice, bob],
    when: 'she sends 101',
    command: transfer({ from: 'alice', to: 'bob', amount: 101n }),
    then: 'insufficient_funds',
  },
  {
    given: 'an account at −40 with an overdraft of 50',
    accounts: [overdrawn, bob],
    when: 'it sends 11',
    command: transfer({ from: 'over', to: 'bob', amount: 11n }),
    then: 'insufficient_funds',
  },
  {
    given: 'a closed (so empty) sender',
    accounts: [{ ...alice, status: 'closed', balance: 0n }, bob],
    when: 'it sends',
    command: transfer({ from: 'alice', to: 'bob', amount: 1n }),
    then: 'account_closed',
  },
  {
    given: 'a frozen receiver',
    accounts: [alice, { ...bob, status: 'frozen' }],
    when: 'alice sends to it',
    command: transfer({ from: 'alice', to: 'bob', amount: 1n }),
    then: 'account_closed',
  },
  {
    given: 'a closed, empty sender and a EUR receiver',
    accounts: [{ ...bob, status: 'closed' }, euro],
    when: 'it sends more than it has in the wrong currency',
    command: transfer({ from: 'bob', to: 'euro', amount: 5n }),
    then: 'account_closed',
  },
  {
    given: 'an open account "alice"',
    accounts: [alice],
    when: 'alice is opened again with another currency',
    command: openAccount({ accountId: 'alice', currency: 'EUR' }),
    then: 'account_exists',
  },
];

void describe('domain: every rejection code, as a table', () => {
  for (const row of rejectionTable) {
    void it(`given ${row.given}, when ${row.when}, then ${row.then}`, () => {
      const result = decideWith(row.accounts, [row.command]);
      const [decision] = result.decisions;
      assert.equal(decision?.kind, 'rejected');
      assert.equal(decision.outcome.status, 'rejected');
      assert.equal(decision.outcome.code, row.then);
      // A rejection is published (one event) and moves no money.
      assert.equal(result.events.length, 1);
      assert.equal(result.journal.length, 0);
      assert.deepEqual(result.accountsChanged, []);
    });
  }

  void it('given the table, then it covers every code the processor may reject with', () => {
    const rows = [
      ...rejectionTable,
      ...reversalRejectionCases,
      ...settlementRejectionCases,
      ...accountChangeRejectionCases,
    ];
    const covered = new Set(rows.map((row) => row.then));
    for (const code of rejectionCodes) assert.ok(covered.has(code), `no row for ${code}`);
  });

  void it('given the transfer rows, then transferRejection agrees with the batch decider', () => {
    for (const row of rejectionTable) {
      if (row.command.type !== 'Transfer') continue;
      const find = (id: string) => row.accounts.find((a) => a.accountId === id);
      const code = transferRejection(
        row.command,
        find(row.command.fromAccountId),
        find(row.command.toAccountId),
      );
      assert.equal(code, row.then, row.when);
    }
  });
});

void describe('domain: posting a transfer', () => {
  void it('given alice with 100, when she sends 30 to bob, then both legs carry balance and version + 1', () => {
    const result = decideWith([alice, bob], [transfer({ from: 'alice', to: 'bob', amount: 30n })]);
    const [decision] = result.decisions;
    assert.equal(decision?.kind, 'applied');
    const event = result.events[0];
    assert.equal(event?.type, 'TransferPosted');
    assert.deepEqual(event.debit, {
      accountId: 'alice',
      balanceAfter: 70n,
      heldAfter: 0n,
      version: 2,
    });
    assert.deepEqual(event.credit, {
      accountId: 'bob',
      balanceAfter: 30n,
      heldAfter: 0n,
      version: 2,
    });
    assert.deepEqual(decision.outcome.versions, { alice: 2, bob: 2 });
    assert.deepEqual(decision.outcome.balances, { alice: 70n, bob: 30n });
    assert.deepEqual(
      result.journal.map((line) => [line.accountId, line.amount, line.version]),
      [
        ['alice', -30n, 2],
        ['bob', 30n, 2],
      ],
    );
    assert.deepEqual(result.accountsChanged, [
      {
        accountId: 'alice',
        expectedVersion: 1,
        version: 2,
        balance: 70n,
        held: 0n,
        expectedRevision: 1,
        revision: 1,
        status: 'open',
        metadata: {},
      },
      {
        accountId: 'bob',
        expectedVersion: 1,
        version: 2,
        balance: 30n,
        held: 0n,
        expectedRevision: 1,
        revision: 1,
        status: 'open',
        metadata: {},
      },
    ]);
    assert.equal(result.transfers[0]?.status, 'posted');
  });

  void it('given an account at −40 with an overdraft of 50, when it sends exactly 10, then it posts at −50', () => {
    const result = decideWith(
      [overdrawn, bob],
      [transfer({ from: 'over', to: 'bob', amount: 10n })],
    );
    assert.equal(result.decisions[0]?.kind, 'applied');
    assert.equal(balanceOf(result, 'over'), -50n);
  });

  void it('given alice with 100, when one batch sends 60 then 50, then the second sees the first', () => {
    const result = decideWith(
      [alice, bob],
      [
        transfer({ from: 'alice', to: 'bob', amount: 60n }),
        transfer({ from: 'alice', to: 'bob', amount: 50n }),
        transfer({ from: 'bob', to: 'alice', amount: 60n }),
      ],
    );
    assert.deepEqual(
      result.decisions.map((d) => d.outcome.code ?? d.kind),
      ['applied', 'insufficient_funds', 'applied'],
    );
    // Per-account versions rise by exactly one per posting, across the batch, without gaps.
    assert.deepEqual(
      result.journal.map((line) => `${line.accountId}@${line.version}`),
      ['alice@2', 'bob@2', 'bob@3', 'alice@3'],
    );
    assert.deepEqual(result.accountsChanged, [
      {
        accountId: 'alice',
        expectedVersion: 1,
        version: 3,
        balance: 100n,
        held: 0n,
        expectedRevision: 1,
        revision: 1,
        status: 'open',
        metadata: {},
      },
      {
        accountId: 'bob',
        expectedVersion: 1,
        version: 3,
        balance: 0n,
        held: 0n,
        expectedRevision: 1,
        revision: 1,
        status: 'open',
        metadata: {},
      },
    ]);
  });

  void it('given a batch that opens two accounts and moves money, then the opened rows hold the final state', () => {
    const result = decideWith(
      [],
      [
        openAccount({ accountId: 'bank', overdraftLimit: 1_000n }),
        openAccount({ accountId: 'carol' }),
        transfer({ from: 'bank', to: 'carol', amount: 700n }),
      ],
    );
    assert.deepEqual(
      result.accountsOpened.map((a) => [a.accountId, a.balance, a.version]),
      [
        ['bank', -700n, 2],
        ['carol', 700n, 2],
      ],
    );
    assert.deepEqual(result.accountsChanged, []);
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['AccountOpened', 'AccountOpened', 'TransferPosted'],
    );
  });

  void it('given balances beyond int64, when more is credited, then the bigint arithmetic stays exact', () => {
    const rich = account({ accountId: 'rich', balance: amountMax * 2n });
    const bank = account({ accountId: 'bank', overdraftLimit: amountMax });
    const result = decideWith(
      [bank, rich],
      [transfer({ from: 'bank', to: 'rich', amount: amountMax })],
    );
    assert.equal(balanceOf(result, 'rich'), amountMax * 3n);
  });
});

void describe('domain: impossible states are assertions, not rejections', () => {
  void it('given a credit that would pass balanceMax, when decided, then it crashes', () => {
    const full = account({ accountId: 'full', balance: balanceMax });
    assert.throws(
      () => decideWith([alice, full], [transfer({ from: 'alice', to: 'full', amount: 1n })]),
      AssertionFailure,
    );
  });

  void it('given a stored account below its overdraft limit, when a batch loads it, then it crashes', () => {
    const broken = account({ accountId: 'broken', balance: -1n });
    assert.throws(
      () => decideWith([broken, bob], [transfer({ from: 'bob', to: 'broken', amount: 1n })]),
      AssertionFailure,
    );
  });

  void it('given an amount of 0, when it reaches the decider, then it crashes (the shell must DLQ it)', () => {
    assert.throws(
      () => decideWith([alice, bob], [transfer({ from: 'alice', to: 'bob', amount: 0n })]),
      AssertionFailure,
    );
  });
});
