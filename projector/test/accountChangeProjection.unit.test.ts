import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionFailure } from '@ledger/runtime';
import type { LedgerEvent } from '@ledger/schemas';
import { SeededRandom } from '@ledger/testing/domainRandom';
import { projectEvents } from '../src/readModelProjection.ts';
import { accountUpserts } from '../src/readModelStore.ts';
import { changeRejected, changed, leg, opened, posted } from './eventFixtures.ts';
import { ReadModelModel } from './readModelModel.ts';

const t0 = Date.UTC(2026, 0, 15, 9, 30);

void describe('account changes in the read models', () => {
  void it('given an AccountChanged, when projected, then its settings row carries status, metadata and revision, and no balance or history moves', () => {
    const changes = projectEvents([
      changed('alice', 1, 2, 'freeze', 'frozen', { name: 'alice' }, t0 + 1),
    ]);
    assert.deepEqual(changes.settings, [
      { accountId: 'alice', status: 'frozen', metadata: { name: 'alice' }, revision: 2 },
    ]);
    assert.deepEqual(changes.accounts, []);
    assert.deepEqual(changes.history, []);
    assert.deepEqual(changes.transfers, []);
    assert.equal(changes.eventCounts.AccountChanged, 1);
  });

  void it('given changes of one account duplicated and out of order in a batch, when projected, then the highest revision wins', () => {
    const freeze = changed('alice', 1, 2, 'freeze', 'frozen', { name: 'alice' }, t0 + 1);
    const rename = changed('alice', 1, 3, 'update_metadata', 'frozen', { name: 'Al' }, t0 + 2);
    const changes = projectEvents([rename, freeze, { ...rename }, freeze]);
    assert.deepEqual(changes.settings, [
      { accountId: 'alice', status: 'frozen', metadata: { name: 'Al' }, revision: 3 },
    ]);
    assert.equal(changes.eventCounts.AccountChanged, 4, 'metrics count what was delivered');
  });

  void it('given an AccountChangeRejected, when projected, then no read model changes and it is counted', () => {
    const changes = projectEvents([changeRejected('alice', 'close', 'account_not_empty', t0)]);
    assert.deepEqual(
      [changes.accounts, changes.settings, changes.history, changes.transfers],
      [[], [], [], []],
    );
    assert.equal(changes.eventCounts.AccountChangeRejected, 1);
  });

  void it('given an opening, a posting and a change of one account in a batch, when joined for the store, then one row carries the balance, the opening and the change', () => {
    const [upsert, ...others] = accountUpserts(
      projectEvents([
        opened('alice', t0, 50n),
        posted('t-1', 'fund', 'alice', 5n, leg(-5n, 2), leg(5n, 2), t0 + 1),
        changed('alice', 2, 2, 'update_metadata', 'open', { tier: 'gold' }, t0 + 2),
      ]),
    );
    assert.equal(upsert?.accountId, 'alice');
    assert.equal(upsert.row?.balance, 5n);
    assert.equal(upsert.row.version, 2);
    assert.equal(upsert.row.opening?.overdraftLimit, 50n);
    assert.deepEqual(upsert.settings, {
      accountId: 'alice',
      status: 'open',
      metadata: { tier: 'gold' },
      revision: 2,
    });
    assert.deepEqual(
      others.map(({ accountId, settings }) => [accountId, settings.status]),
      [['fund', null]],
      'a posting alone brings no settings',
    );
  });

  void it('given an opening alone, when joined for the store, then its settings are the opening ones at revision 1', () => {
    const [upsert] = accountUpserts(projectEvents([opened('bob', t0)]));
    assert.deepEqual(upsert?.settings, { status: 'open', metadata: { name: 'bob' }, revision: 1 });
  });

  void it('given a change only, when joined for the store, then its row has no balance part (it never inserts)', () => {
    const [upsert] = accountUpserts(
      projectEvents([changed('bob', 1, 2, 'close', 'closed', {}, t0)]),
    );
    assert.equal(upsert?.row, undefined);
    assert.equal(upsert?.settings.revision, 2);
  });

  void it('given batches applied in order, when an older change is redelivered after a newer one, then the settings keep the newer revision and the balance is untouched', () => {
    const model = new ReadModelModel();
    const freeze = changed('alice', 2, 2, 'freeze', 'frozen', { name: 'alice' }, t0 + 2);
    const unfreeze = changed('alice', 2, 3, 'unfreeze', 'open', { name: 'alice' }, t0 + 3);
    model.apply(projectEvents([opened('alice', t0)]));
    model.apply(
      projectEvents([posted('t-1', 'fund', 'alice', 7n, leg(-7n, 2), leg(7n, 2), t0 + 1)]),
    );
    model.apply(projectEvents([freeze]));
    model.apply(projectEvents([unfreeze]));
    model.apply(projectEvents([freeze])); // redelivered
    model.apply(projectEvents([opened('alice', t0)])); // redelivered
    assert.deepEqual(model.settings.get('alice'), {
      status: 'open',
      metadata: { name: 'alice' },
      revision: 3,
    });
    assert.equal(model.accounts.get('alice')?.balance, 7n);
    assert.equal(model.accounts.get('alice')?.version, 2);
  });

  void it('given a ledger with changes delivered in any order (each change after its opening), split and duplicated, when applied batch by batch, then the read models equal one in-order pass', () => {
    const history = ledgerWithChanges();
    const expected = new ReadModelModel();
    expected.apply(projectEvents(history));
    assert.equal(expected.settings.get('bob')?.revision, 4);
    assert.equal(expected.settings.get('bob')?.status, 'closed');
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = new SeededRandom(seed);
      const delivered = afterOpenings(
        shuffle(
          history.flatMap((event) => (random.chance(0.3) ? [event, event] : [event])),
          random,
        ),
      );
      const model = new ReadModelModel();
      for (let start = 0; start < delivered.length;) {
        const size = random.int(1, 6);
        model.apply(projectEvents(delivered.slice(start, start + size)));
        start += size;
      }
      assert.deepEqual(model.snapshot(), expected.snapshot(), `seed ${seed}`);
    }
  });

  const impossible: [string, LedgerEvent[]][] = [
    ['a change at revision 1', [changed('a', 1, 1, 'freeze', 'frozen', {}, t0)]],
    [
      'one revision with two statuses',
      [
        changed('a', 1, 2, 'freeze', 'frozen', {}, t0),
        changed('a', 1, 2, 'close', 'closed', {}, t0),
      ],
    ],
    [
      'one revision with two metadata maps',
      [
        changed('a', 1, 2, 'update_metadata', 'open', { k: '1' }, t0),
        changed('a', 1, 2, 'update_metadata', 'open', { k: '2' }, t0),
      ],
    ],
  ];
  for (const [name, events] of impossible) {
    void it(`given ${name}, when projected, then it is an assertion failure (the log cannot say that)`, () => {
      assert.throws(() => projectEvents(events), AssertionFailure);
    });
  }
});

/** fund pays alice and bob; bob is frozen, unfrozen and closed after paying back; alice renamed. */
function ledgerWithChanges(): LedgerEvent[] {
  return [
    opened('fund', t0, 10n ** 9n),
    opened('alice', t0 + 1),
    opened('bob', t0 + 2),
    posted('t-1', 'fund', 'alice', 100n, leg(-100n, 2), leg(100n, 2), t0 + 3),
    posted('t-2', 'fund', 'bob', 40n, leg(-140n, 3), leg(40n, 2), t0 + 4),
    changed('alice', 2, 2, 'update_metadata', 'open', { name: 'Alice' }, t0 + 5),
    changed('bob', 2, 2, 'freeze', 'frozen', { name: 'bob' }, t0 + 6),
    changeRejected('bob', 'freeze', 'account_status_conflict', t0 + 7),
    changed('bob', 2, 3, 'unfreeze', 'open', { name: 'bob' }, t0 + 8),
    posted('t-3', 'bob', 'fund', 40n, leg(0n, 3), leg(-100n, 4), t0 + 9),
    changed('bob', 3, 4, 'close', 'closed', { name: 'bob' }, t0 + 10),
    changeRejected('bob', 'unfreeze', 'account_closed', t0 + 11),
  ];
}

/**
 * A change comes from its account's own partition, after its AccountOpened: any copy shuffled
 * ahead of the account's first opening moves to just after it (copies of either may still come
 * late, and changes of other partitions' accounts in any order).
 */
function afterOpenings(events: readonly LedgerEvent[]): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  const waiting = new Map<string, LedgerEvent[]>();
  const opened = new Set<string>();
  for (const event of events) {
    const { payload } = event;
    if (payload.type === 'AccountChanged' && !opened.has(payload.accountId)) {
      waiting.set(payload.accountId, [...(waiting.get(payload.accountId) ?? []), event]);
      continue;
    }
    out.push(event);
    if (payload.type === 'AccountOpened' && !opened.has(payload.accountId)) {
      opened.add(payload.accountId);
      out.push(...(waiting.get(payload.accountId) ?? []));
      waiting.delete(payload.accountId);
    }
  }
  assert.equal(waiting.size, 0, 'every changed account is opened');
  return out;
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
