import { handBuiltLog } from './handBuiltLog.ts';

/**
 * A chained log as the processor links it (chain = partition = the debtor's): funding and bob in
 * partition 0, alice in 1, carol and dave in 2. alice is updated, frozen (a hold of hers voided
 * while frozen, a transfer and a second freeze refused), unfrozen and pays carol; bob is frozen and
 * updated while frozen; carol pays back and closes at 0; dave (with an overdraft) pays out, is
 * paid back from another chain, then closes at 0; a change of an unknown account is refused.
 */
export function lifecycleLog(options: { chained?: boolean } = {}) {
  const log = handBuiltLog('audit-test.events', { chained: options.chained ?? true, v3: true });
  log.open('funding', { overdraft: 1_000_000n });
  log.open('alice', { partition: 1 });
  log.open('bob');
  log.open('carol', { partition: 2 });
  log.open('dave', { partition: 2, overdraft: 500n });
  log.post('t-fund', 'funding', 'alice', 1000n);
  log.change('alice', 'update_metadata', { metadata: { tier: 'gold' } });
  log.hold('h-1', 'alice', 'bob', 100n);
  log.change('alice', 'freeze');
  log.voidPending('h-1'); // a release applies on a frozen account
  log.reject('t-refused', 'alice', 'carol', 50n);
  log.rejectChange('alice', 'freeze', 'account_status_conflict');
  log.change('alice', 'unfreeze');
  log.post('t-2', 'alice', 'carol', 200n);
  log.change('bob', 'freeze');
  log.change('bob', 'update_metadata', { metadata: { note: 'under review' } });
  log.post('t-3', 'carol', 'funding', 200n);
  log.change('carol', 'close');
  log.rejectChange('carol', 'update_metadata', 'account_closed');
  log.post('t-4', 'dave', 'funding', 300n);
  log.post('t-5', 'funding', 'dave', 300n); // chain 0: ordered against dave's close by versions only
  log.change('dave', 'close');
  log.rejectChange('ghost', 'freeze', 'account_not_found', 1);
  return log;
}

/** A chained log: funding and bob in partition (chain) 0, alice in 1, carol in 2; alice has 1000. */
export function chainedFundedLog() {
  const log = handBuiltLog('audit-test.events', { chained: true, v3: true });
  log.open('funding', { overdraft: 1_000_000n });
  log.open('alice', { partition: 1 });
  log.open('bob');
  log.open('carol', { partition: 2, overdraft: 500n });
  log.post('t-fund', 'funding', 'alice', 1000n);
  return log;
}
