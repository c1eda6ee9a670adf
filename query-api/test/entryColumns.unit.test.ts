import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountEntryOf, type AccountColumns } from '../src/accountEntry.ts';
import { createEntryColumns, initialSlots } from '../src/entryColumns.ts';

const opening = {
  overdraftLimitText: '500',
  status: 'open',
  createdAtMs: Date.parse('2026-01-15T09:30:00.123Z'),
  metadataJson: '{"name":"Alice"}',
};

function entry(
  accountId: string,
  balanceText: string,
  version: number,
  opened = true,
  availableText = balanceText,
  revision = 1,
) {
  const columns: AccountColumns = {
    accountId,
    currency: 'USD',
    balanceText,
    availableText,
    version,
    revision,
    opening: opened ? opening : undefined,
  };
  return accountEntryOf(columns);
}

void describe('entryColumns', () => {
  void it('given entries of every balance shape, when stored and read back, then each reads exactly as written', () => {
    const columns = createEntryColumns(16);
    const written = [
      entry('zero', '0', 1),
      entry('negative', '-42', 2),
      entry('largest safe', '9007199254740991', 3),
      entry('past safe', '9007199254740993', 4),
      entry('numeric(38,0)', '-99999999999999999999999999999999999999', 5),
      entry('pending opening', '7', 6, false),
      entry('holding', '100', 7, true, '40'),
      entry('holding into overdraft', '100', 8, true, '-400'),
      entry('holding past safe', '9007199254740993', 9, true, '9007199254740990'),
      entry('wide, holding', '99999999999999999999', 10, true, '99999999999999999000'),
      entry('changed since opening', '5', 11, true, '5', 4),
    ];
    const slots = written.map((account) => columns.insert(account));

    written.forEach((account, index) => {
      const read = columns.read(slots[index] ?? -1, account.accountId);
      assert.deepEqual({ ...read }, { ...account });
      assert.equal(columns.version(slots[index] ?? -1), account.version);
      assert.equal(columns.revision(slots[index] ?? -1), account.revision);
    });
    assert.equal(columns.size, written.length);
  });

  void it('given two accounts alike but for their revision, when stored, then each reads its own revision', () => {
    const columns = createEntryColumns(4);
    const first = columns.insert(entry('alice', '1', 1));
    const second = columns.insert(entry('bob', '1', 1, true, '1', 2));

    assert.equal(columns.read(first, 'alice').revision, 1);
    assert.equal(columns.read(second, 'bob').revision, 2);
    columns.write(first, entry('alice', '1', 1, true, '1', 3));
    assert.equal(columns.revision(first), 3);
    assert.equal(columns.revision(second), 2);
  });

  void it('given a slot holding some of a wide balance, when written with nothing held, then the held amount is gone', () => {
    const columns = createEntryColumns(4);
    const slot = columns.insert(entry('alice', '99999999999999999999', 1, true, '-5'));

    columns.write(slot, entry('alice', '12', 2));

    assert.equal(columns.read(slot, 'alice').availableText, '12');
    columns.write(slot, entry('alice', '99999999999999999999', 3, true, '99999999999999999998'));
    assert.equal(columns.read(slot, 'alice').availableText, '99999999999999999998');
  });

  void it('given an entry that was read, when its slot is written again, then the earlier read is unchanged', () => {
    const columns = createEntryColumns(4);
    const slot = columns.insert(entry('alice', '9007199254740993', 1));
    const before = columns.read(slot, 'alice');

    columns.write(slot, entry('alice', '10', 2));

    assert.equal(before.balanceText, '9007199254740993');
    assert.equal(before.version, 1);
    assert.equal(columns.read(slot, 'alice').balanceText, '10');
    assert.equal(columns.read(slot, 'alice').version, 2);
  });

  void it('given a freed slot, when another entry is inserted, then it reuses that slot and keeps nothing of the old one', () => {
    const columns = createEntryColumns(4);
    const first = columns.insert(entry('alice', '-99999999999999999999', 1));
    columns.insert(entry('bob', '2', 1));

    columns.free(first);
    const reused = columns.insert(entry('carol', '3', 9, false));

    assert.equal(reused, first);
    const carol = columns.read(reused, 'carol');
    assert.equal(carol.balanceText, '3');
    assert.equal(carol.hasDetails, false);
    assert.equal(columns.size, 2);
  });

  void it('given a slot not in use, when it is freed or written, then that is an assertion', () => {
    const columns = createEntryColumns(4);
    const slot = columns.insert(entry('alice', '1', 1));
    columns.free(slot);

    assert.throws(() => columns.free(slot), /not in use/);
    assert.throws(() => columns.write(slot, entry('alice', '2', 2)), /not in use/);
    assert.throws(() => columns.read(3, 'nobody'), /not in use/);
  });

  void it('given more entries than the first allocation, when inserted, then capacity doubles up to slotsMax and no further', () => {
    const slotsMax = initialSlots * 2 + 10;
    const columns = createEntryColumns(slotsMax);

    for (let index = 0; index < slotsMax; index += 1) {
      columns.insert(entry(`account-${index}`, String(index), index + 1));
    }

    assert.equal(columns.capacity, slotsMax);
    assert.equal(columns.read(slotsMax - 1, 'last').balanceText, String(slotsMax - 1));
    assert.throws(() => columns.insert(entry('one too many', '1', 1)), /entry slots are in use/);
  });
});
