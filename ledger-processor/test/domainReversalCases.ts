import type { AccountState, DomainCommand, OutcomeCode } from '../src/domain/index.ts';
import { account, transfer } from './domainFixtures.ts';

/**
 * Each way a reversal is refused: `before` is decided in a batch of its own, then `command` in the
 * next, so the original comes from the snapshot as it would from Postgres. domain.unit.test.ts
 * counts these rows toward "every rejection code has a row".
 */
export interface ReversalRejectionCase {
  readonly given: string;
  readonly accounts: readonly AccountState[];
  readonly before: readonly DomainCommand[];
  readonly when: string;
  readonly command: DomainCommand;
  readonly then: OutcomeCode;
}

const alice = account({ accountId: 'alice', balance: 100n });
const bob = account({ accountId: 'bob', balance: 100n });
const carol = account({ accountId: 'carol' });
const paid = { from: 'alice', to: 'bob', amount: 50n, transferId: 'pay-1' };

export const reversalRejectionCases: readonly ReversalRejectionCase[] = [
  {
    given: 'no transfer "ghost"',
    accounts: [alice, bob],
    before: [],
    when: 'bob reverses "ghost"',
    command: transfer({ from: 'bob', to: 'alice', amount: 1n, reversalOf: 'ghost' }),
    then: 'transfer_not_reversible',
  },
  {
    given: 'a transfer alice → bob that was rejected',
    accounts: [alice, bob],
    before: [transfer({ ...paid, amount: 500n })],
    when: 'bob reverses it',
    command: transfer({ from: 'bob', to: 'alice', amount: 1n, reversalOf: 'pay-1' }),
    then: 'transfer_not_reversible',
  },
  {
    given: 'a posted transfer alice → bob',
    accounts: [alice, bob],
    before: [transfer(paid)],
    when: 'the reversal runs the same way, alice → bob',
    command: transfer({ from: 'alice', to: 'bob', amount: 1n, reversalOf: 'pay-1' }),
    then: 'transfer_not_reversible',
  },
  {
    given: 'a posted transfer alice → bob',
    accounts: [alice, bob, carol],
    before: [transfer(paid)],
    when: 'the reversal pays carol instead of alice',
    command: transfer({ from: 'bob', to: 'carol', amount: 1n, reversalOf: 'pay-1' }),
    then: 'transfer_not_reversible',
  },
  {
    given: 'a posted transfer of 50',
    accounts: [alice, bob],
    before: [transfer(paid)],
    when: 'bob reverses 51',
    command: transfer({ from: 'bob', to: 'alice', amount: 51n, reversalOf: 'pay-1' }),
    then: 'reversal_exceeds_transfer',
  },
  {
    given: 'a posted transfer of 50 after which bob spent everything',
    accounts: [alice, bob, carol],
    before: [transfer(paid), transfer({ from: 'bob', to: 'carol', amount: 150n })],
    when: 'bob reverses 50',
    command: transfer({ from: 'bob', to: 'alice', amount: 50n, reversalOf: 'pay-1' }),
    then: 'insufficient_funds',
  },
];
