import type { AccountState, DomainCommand, OutcomeCode } from '../src/domain/index.ts';
import { account, changeAccount, nowMs, settle, transfer } from './domainFixtures.ts';

/**
 * Each way a settlement of a pending transfer is refused: `before` is decided in a batch of its
 * own at `nowMs`, then `command` in the next batch at `atMs`. domain.unit.test.ts counts these
 * rows toward "every rejection code has a row".
 */
export interface SettlementRejectionCase {
  readonly given: string;
  readonly accounts: readonly AccountState[];
  readonly before: readonly DomainCommand[];
  readonly when: string;
  readonly command: DomainCommand;
  readonly atMs?: number;
  readonly then: OutcomeCode;
}

const alice = account({ accountId: 'alice', balance: 100n });
const bob = account({ accountId: 'bob' });
const carol = account({ accountId: 'carol' });
const hold = (amount: bigint, timeoutSeconds?: number) =>
  transfer({
    from: 'alice',
    to: 'bob',
    amount,
    transferId: 'h-1',
    pending: timeoutSeconds === undefined ? {} : { timeoutSeconds },
  });
const onHold = { transferId: 'h-1', from: 'alice', to: 'bob' } as const;

export const settlementRejectionCases: readonly SettlementRejectionCase[] = [
  {
    given: 'no transfer "h-1"',
    accounts: [alice, bob],
    before: [],
    when: 'it is posted',
    command: settle({ ...onHold, action: 'post' }),
    then: 'transfer_not_pending',
  },
  {
    given: 'an ordinary posted transfer "h-1"',
    accounts: [alice, bob],
    before: [transfer({ from: 'alice', to: 'bob', amount: 10n, transferId: 'h-1' })],
    when: 'it is voided',
    command: settle({ ...onHold, action: 'void' }),
    then: 'transfer_not_pending',
  },
  {
    given: 'a pending transfer that was voided',
    accounts: [alice, bob],
    before: [hold(30n), settle({ ...onHold, action: 'void' })],
    when: 'it is posted',
    command: settle({ ...onHold, action: 'post' }),
    then: 'transfer_not_pending',
  },
  {
    given: 'a pending transfer alice → bob',
    accounts: [alice, bob, carol],
    before: [hold(30n)],
    when: 'a post names carol as the payee',
    command: settle({ ...onHold, to: 'carol', action: 'post' }),
    then: 'transfer_not_pending',
  },
  {
    given: 'a pending transfer with a 60 s timeout',
    accounts: [alice, bob],
    before: [hold(30n, 60)],
    when: 'an expiry as of 59.999 s later comes',
    command: settle({ ...onHold, action: 'expire', asOfMs: nowMs + 59_999 }),
    then: 'pending_not_expired',
  },
  {
    given: 'a pending transfer without a timeout',
    accounts: [alice, bob],
    before: [hold(30n)],
    when: 'an expiry comes a year later',
    command: settle({ ...onHold, action: 'expire', asOfMs: nowMs + 365 * 86_400_000 }),
    then: 'pending_not_expired',
  },
  {
    given: 'a pending transfer with a 1 s timeout',
    accounts: [alice, bob],
    before: [hold(30n, 1)],
    when: 'it is posted 1 s later, before the sweep expired it',
    command: settle({ ...onHold, action: 'post' }),
    atMs: nowMs + 1_000,
    then: 'pending_expired',
  },
  {
    given: 'a pending transfer to bob, who was frozen since',
    accounts: [alice, bob],
    before: [hold(30n), changeAccount({ accountId: 'bob', change: 'freeze' })],
    when: 'it is posted',
    command: settle({ ...onHold, action: 'post' }),
    then: 'account_closed',
  },
  {
    given: 'a pending transfer of 30',
    accounts: [alice, bob],
    before: [hold(30n)],
    when: '31 of it is posted',
    command: settle({ ...onHold, action: 'post', amount: 31n }),
    then: 'post_exceeds_pending',
  },
];
