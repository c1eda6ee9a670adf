import type {
  AccountState,
  BatchDecision,
  DomainCommand,
  OutcomeCode,
} from '../src/domain/index.ts';
import { account, changeAccount, nowMs, openAccount, transfer } from './domainFixtures.ts';
import { ModelLedger } from './domainModelLedger.ts';

/**
 * alice (metadata `{ owner: 'alice' }`) funded with 100 by the bank, so at version 2, and an
 * empty bob at version 1; both open at revision 1.
 */
export function givenAliceAndBob(): ModelLedger {
  const ledger = new ModelLedger();
  ledger.run(
    [
      openAccount({ accountId: 'bank', overdraftLimit: 1_000_000n }),
      openAccount({ accountId: 'alice', metadata: { owner: 'alice' } }),
      openAccount({ accountId: 'bob' }),
      transfer({ from: 'bank', to: 'alice', amount: 100n }),
    ],
    nowMs,
  );
  return ledger;
}

/** Each decision as its code, or its kind when it has none. */
export const outcomesOf = (result: BatchDecision): string[] =>
  result.decisions.map((d) => d.outcome.code ?? d.kind);

/** An account's settings and version as stored: [status, revision, version, metadata]. */
export const settingsOf = (ledger: ModelLedger, id: string): unknown[] => {
  const stored = ledger.accounts.get(id);
  return [stored?.status, stored?.revision, stored?.version, stored?.metadata];
};

/**
 * Each way an account change is refused, and the order of the codes where two apply: `before`
 * is decided in a batch of its own, then `command` in the next, so the account comes from the
 * snapshot as it would from Postgres. domain.unit.test.ts counts these rows toward "every
 * rejection code has a row".
 */
export interface AccountChangeRejectionCase {
  readonly given: string;
  readonly accounts: readonly AccountState[];
  readonly before: readonly DomainCommand[];
  readonly when: string;
  readonly command: DomainCommand;
  readonly then: OutcomeCode;
}

const alice = account({ accountId: 'alice', balance: 100n });
const bob = account({ accountId: 'bob' });
const frozen = account({ accountId: 'bob', status: 'frozen', revision: 2 });
const closed = account({ accountId: 'bob', status: 'closed', revision: 3 });
/** Balance 0 but 30 held, on an overdraft of 50. */
const holding = account({ accountId: 'over', overdraftLimit: 50n, held: 30n, version: 2 });
const overdrawn = account({ accountId: 'over', overdraftLimit: 50n, balance: -10n });

export const accountChangeRejectionCases: readonly AccountChangeRejectionCase[] = [
  {
    given: 'no account "ghost"',
    accounts: [bob],
    before: [],
    when: 'ghost is frozen',
    command: changeAccount({ accountId: 'ghost', change: 'freeze' }),
    then: 'account_not_found',
  },
  ...(['freeze', 'unfreeze', 'close'] as const).map((change) => ({
    given: 'a closed account',
    accounts: [closed],
    before: [],
    when: `it is sent ${change}`,
    command: changeAccount({ accountId: 'bob', change }),
    then: 'account_closed' as const,
  })),
  {
    given: 'a closed account at revision 3',
    accounts: [closed],
    before: [],
    when: 'its metadata is updated expecting revision 1 (closed is checked first)',
    command: changeAccount({
      accountId: 'bob',
      change: 'update_metadata',
      metadata: { a: 'b' },
      expectedRevision: 1,
    }),
    then: 'account_closed',
  },
  {
    given: 'an open account at revision 1',
    accounts: [bob],
    before: [],
    when: 'it is frozen expecting revision 2',
    command: changeAccount({ accountId: 'bob', change: 'freeze', expectedRevision: 2 }),
    then: 'revision_conflict',
  },
  {
    given: 'an account frozen since (revision 2)',
    accounts: [bob],
    before: [changeAccount({ accountId: 'bob', change: 'freeze' })],
    when: 'its metadata is updated expecting revision 1',
    command: changeAccount({
      accountId: 'bob',
      change: 'update_metadata',
      metadata: {},
      expectedRevision: 1,
    }),
    then: 'revision_conflict',
  },
  {
    given: 'a frozen account at revision 2',
    accounts: [frozen],
    before: [],
    when: 'it is frozen again expecting revision 1 (the revision is checked before the status)',
    command: changeAccount({ accountId: 'bob', change: 'freeze', expectedRevision: 1 }),
    then: 'revision_conflict',
  },
  {
    given: 'a frozen account',
    accounts: [frozen],
    before: [],
    when: 'it is frozen again',
    command: changeAccount({ accountId: 'bob', change: 'freeze', expectedRevision: 2 }),
    then: 'account_status_conflict',
  },
  {
    given: 'an open account',
    accounts: [bob],
    before: [],
    when: 'it is unfrozen',
    command: changeAccount({ accountId: 'bob', change: 'unfreeze' }),
    then: 'account_status_conflict',
  },
  {
    given: 'an open account with 100',
    accounts: [alice],
    before: [],
    when: 'it is closed',
    command: changeAccount({ accountId: 'alice', change: 'close' }),
    then: 'account_not_empty',
  },
  {
    given: 'an account at −10 on its overdraft',
    accounts: [overdrawn],
    before: [],
    when: 'it is closed',
    command: changeAccount({ accountId: 'over', change: 'close' }),
    then: 'account_not_empty',
  },
  {
    given: 'an account with balance 0 and 30 held',
    accounts: [holding],
    before: [],
    when: 'it is closed',
    command: changeAccount({ accountId: 'over', change: 'close' }),
    then: 'account_not_empty',
  },
  {
    given: 'an account with 100, frozen since',
    accounts: [alice, bob],
    before: [changeAccount({ accountId: 'alice', change: 'freeze' })],
    when: 'it is closed',
    command: changeAccount({ accountId: 'alice', change: 'close' }),
    then: 'account_not_empty',
  },
  {
    given: 'an account with 100 at revision 1',
    accounts: [alice],
    before: [],
    when: 'it is closed expecting revision 2 (the revision is checked before the balance)',
    command: changeAccount({ accountId: 'alice', change: 'close', expectedRevision: 2 }),
    then: 'revision_conflict',
  },
];
