import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccountEntry,
  accountEntryOf,
  intern,
  internedLengthMax,
  toAccountEntry,
} from '../src/accountEntry.ts';
import { accountBody, balanceBody } from '../src/http/responseBodies.ts';
import { createVersionFloors } from '../src/versionFloors.ts';
import { account, change } from './fixtures.ts';

const opening = {
  overdraftLimitText: '500',
  status: 'open',
  createdAtMs: Date.parse('2026-01-15T09:30:00.123Z'),
  metadataJson: '{"name":"Alice \\"A\\""}',
};

void describe('accountEntry', () => {
  void it('given a read-model row, when encoded, then the bodies are the JSON docs/contract.md shows, byte for byte', () => {
    const entry = accountEntryOf({
      accountId: 'alice',
      currency: 'USD',
      balanceText: '-9223372036854775807',
      availableText: '-9223372036854775907',
      version: 7,
      revision: 3,
      opening,
    });

    assert.equal(
      balanceBody(entry),
      '{"accountId":"alice","currency":"USD","balance":"-9223372036854775807","available":"-9223372036854775907","version":7}',
    );
    assert.deepEqual(JSON.parse(accountBody(entry)), {
      accountId: 'alice',
      currency: 'USD',
      balance: '-9223372036854775807',
      available: '-9223372036854775907',
      overdraftLimit: '500',
      status: 'open',
      version: 7,
      revision: 3,
      createdAt: '2026-01-15T09:30:00.123Z',
      metadata: { name: 'Alice "A"' },
    });
    assert.equal(entry.balance, -9223372036854775807n);
    assert.equal(entry.available, -9223372036854775907n);
    assert.deepEqual(entry.details, {
      overdraftLimit: 500n,
      status: 'open',
      createdAt: '2026-01-15T09:30:00.123Z',
      metadata: { name: 'Alice "A"' },
    });
  });

  void it('given a row whose opening is pending, when encoded, then it has no details and its account body says null for them', () => {
    const entry = accountEntryOf({
      accountId: 'bob',
      currency: 'EUR',
      balanceText: '25',
      availableText: '25',
      version: 1,
      revision: 1,
      opening: undefined,
    });

    assert.equal(entry.hasDetails, false);
    assert.equal(entry.details, undefined);
    assert.deepEqual(JSON.parse(accountBody(entry)), {
      accountId: 'bob',
      currency: 'EUR',
      balance: '25',
      available: '25',
      overdraftLimit: null,
      status: null,
      version: 1,
      revision: 1,
      createdAt: null,
      metadata: null,
    });
  });

  void it('given an entry, when a newer change and then the opening are applied, then each yields a new entry and the old one is unchanged', () => {
    const pending = toAccountEntry({ ...account('carol', 2, 10n), details: undefined });
    const changed = pending.withBalance(change('carol', 3, 40n));
    const details = {
      overdraftLimit: 0n,
      status: 'open',
      createdAt: '2026-01-15T09:30:00.000Z',
      metadata: { name: 'carol' },
    };
    const opened = changed.withDetails(details);

    assert.equal(pending.version, 2);
    assert.equal(pending.balanceText, '10');
    assert.equal(changed.version, 3);
    assert.equal(changed.balanceText, '40');
    assert.equal(changed.hasDetails, false);
    assert.equal(opened.version, 3);
    assert.equal(opened.revision, 1, 'a loader that does not say: revision 1');
    assert.equal(opened.balance, 40n);
    assert.deepEqual(opened.details, details);
    assert.equal(changed.accountId, pending.accountId, 'the id string is shared, not copied');
  });

  void it('given an entry at revision 2, when a newer balance at a lower revision comes, then the balance moves and the revision of its details stays', () => {
    const frozen = toAccountEntry({ ...account('fay', 4, 10n), revision: 2 });
    const credited = frozen.withBalance({ ...change('fay', 5, 15n), revision: 1 });

    assert.equal(credited.version, 5);
    assert.equal(credited.balanceText, '15');
    assert.equal(credited.revision, 2);
    assert.equal((JSON.parse(accountBody(credited)) as { revision: number }).revision, 2);
  });

  void it('given an entry holding some of its balance, when a change without available comes (a writer before holds), then available is the new balance', () => {
    const held = toAccountEntry({ ...account('erin', 4, 1_000n), available: 700n });
    const legacy = held.withBalance(change('erin', 5, 900n));
    const holding = legacy.withBalance({ ...change('erin', 6, 900n), available: 600n });

    assert.equal(held.availableText, '700');
    assert.equal(legacy.availableText, '900');
    assert.equal(holding.balanceText, '900');
    assert.equal(holding.availableText, '600');
    const { details } = account('erin', 6, 0n);
    assert.ok(details !== undefined);
    assert.equal(holding.withDetails(details).availableText, '600', 'the opening keeps it');
  });

  void it('given a plain account from a loader, when converted, then it reads the same through the CachedAccount view', () => {
    const plain = account('dave', 5, 123n);
    const entry = toAccountEntry(plain);

    assert.ok(entry instanceof AccountEntry);
    assert.equal(toAccountEntry(entry), entry, 'an entry is taken as it is');
    assert.equal(entry.accountId, 'dave');
    assert.equal(entry.currency, 'USD');
    assert.equal(entry.balance, 123n);
    assert.equal(entry.available, 123n, 'a loader that knows no holds: available is the balance');
    assert.equal(entry.version, 5);
    assert.deepEqual(entry.details, plain.details);
  });

  void it('given equal short strings from different rows, when interned, then one instance is kept; long ones pass through', () => {
    const first = ['U', 'S', 'D'].join('');
    const second = ['U', 'S', 'D'].join('');
    assert.equal(intern(first), intern(second));
    const long = 'x'.repeat(internedLengthMax + 1);
    assert.equal(intern(long), long);
  });
});

void describe('versionFloors', () => {
  void it('given a floor, when raised lower, then the higher floor stays', () => {
    const floors = createVersionFloors(10);
    floors.raise('alice', 5);
    floors.raise('alice', 3);
    assert.equal(floors.peek('alice'), 5);
    floors.delete('alice');
    assert.equal(floors.peek('alice'), undefined);
  });

  void it('given a full set of floors, when one more is raised, then the one set longest ago is forgotten', () => {
    const floors = createVersionFloors(2);
    floors.raise('a', 1);
    floors.raise('b', 1);
    floors.raise('a', 2); // refreshed: now the newest
    floors.raise('c', 1);
    assert.equal(floors.size, 2);
    assert.equal(floors.peek('b'), undefined);
    assert.equal(floors.peek('a'), 2);
    assert.equal(floors.peek('c'), 1);
  });
});
