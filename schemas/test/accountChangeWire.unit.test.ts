import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountChangeRejectionCodes,
  accountChanges,
  accountStatuses,
  balanceFromAvro,
  balanceToAvro,
  branchNames,
  commandFromAvro,
  commandToAvro,
  eventFromAvro,
  eventToAvro,
  WireContractError,
  type AccountChange,
  type AccountChanged,
  type AccountStatus,
  type ChangeAccount,
  type CommandPayload,
  type EventPayload,
  type LedgerCommand,
  type LedgerEvent,
} from '../src/index.ts';

// Account changes on the wire (schema v4, BalanceChanged v3): what the converters accept and
// refuse beyond the field formats the other converter tests cover.

const command = (payload: CommandPayload): LedgerCommand => ({
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d97',
  idempotencyKey: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d97',
  requestHash: 'cd'.repeat(32),
  receivedAt: 1_768_469_400_163,
  traceparent: null,
  payload,
});
const event = (payload: EventPayload): LedgerEvent => ({
  eventId: '019bc2a4-8000-7000-8000-00000000000b',
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d97',
  occurredAt: 1_768_469_400_165,
  payload,
});
const freeze: ChangeAccount = { type: 'ChangeAccount', accountId: 'alice', change: 'freeze' };
const update: ChangeAccount = {
  type: 'ChangeAccount',
  accountId: 'alice',
  change: 'update_metadata',
  metadata: { name: 'Alice' },
};
const changed: AccountChanged = {
  type: 'AccountChanged',
  accountId: 'alice',
  change: 'freeze',
  status: 'frozen',
  metadata: { name: 'Alice' },
  revision: 2,
  version: 5,
};
const refused = (field: string) => (error: unknown) =>
  error instanceof WireContractError && error.code === 'invalid_request' && error.field === field;
const roundTrip = (value: LedgerCommand) => commandFromAvro(commandToAvro(value));
const eventRoundTrip = (value: LedgerEvent) => eventFromAvro(eventToAvro(value));

void describe('account changes on the wire', () => {
  void it('given every change with and without an expected revision, when converted both ways, then it is unchanged', () => {
    for (const change of accountChanges) {
      const payload: ChangeAccount =
        change === 'update_metadata' ? update : { type: 'ChangeAccount', accountId: 'a', change };
      assert.deepEqual(roundTrip(command(payload)), command(payload));
      const checked = { ...payload, expectedRevision: 7 };
      assert.deepEqual(roundTrip(command(checked)), command(checked));
    }
  });

  void it('given a change without metadata or a revision, when converted to Avro, then both are null', () => {
    const record = commandToAvro(command(freeze));
    assert.ok(branchNames.changeAccount in record.payload);
    assert.deepEqual(record.payload[branchNames.changeAccount], {
      accountId: 'alice',
      change: 'freeze',
      metadata: null,
      expectedRevision: null,
    });
  });

  void it('given metadata on another change than update_metadata, or none on it, when encoded, then it is refused', () => {
    assert.throws(
      () => commandToAvro(command({ ...freeze, metadata: {} })),
      refused('payload.metadata'),
    );
    const { metadata: _metadata, ...bare } = update;
    assert.throws(() => commandToAvro(command(bare)), refused('payload.metadata'));
  });

  void it('given metadata on a close, when decoded, then it is refused', () => {
    const record = commandToAvro(command({ ...freeze, change: 'close' }));
    assert.ok(branchNames.changeAccount in record.payload);
    record.payload[branchNames.changeAccount].metadata = { map: { a: '1' } };
    assert.throws(() => commandFromAvro(record), refused('payload.metadata'));
  });

  void it('given metadata past the limits, when converted, then it is refused both ways', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(
      () => commandToAvro(command({ ...update, metadata: tooMany })),
      refused('payload.metadata'),
    );
    const record = commandToAvro(command(update));
    assert.ok(branchNames.changeAccount in record.payload);
    record.payload[branchNames.changeAccount].metadata = { map: { '-bad': 'v' } };
    assert.throws(() => commandFromAvro(record), refused('payload.metadata.-bad'));
  });

  void it('given an expected revision of 0, a fraction or past 2^53, when encoded, then it is refused', () => {
    for (const expectedRevision of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(
        () => commandToAvro(command({ ...freeze, expectedRevision })),
        refused('payload.expectedRevision'),
      );
    }
  });

  void it('given a change outside the list, when decoded, then it is refused', () => {
    const record = commandToAvro(command(freeze));
    assert.ok(branchNames.changeAccount in record.payload);
    record.payload[branchNames.changeAccount].change = 'delete';
    assert.throws(() => commandFromAvro(record), refused('payload.change'));
    assert.throws(
      () => commandToAvro(command({ ...freeze, change: 'delete' as AccountChange })),
      refused('payload.change'),
    );
  });

  void it('given each change with the status it leads to, when converted both ways, then it is unchanged', () => {
    const allowed: [AccountChange, AccountStatus][] = [
      ['freeze', 'frozen'],
      ['unfreeze', 'open'],
      ['close', 'closed'],
      ['update_metadata', 'open'],
      ['update_metadata', 'frozen'],
    ];
    for (const [change, status] of allowed) {
      const value = event({ ...changed, change, status, revision: 9 });
      assert.deepEqual(eventRoundTrip(value), value);
    }
  });

  void it('given a status its change cannot lead to, when converted, then it is refused both ways', () => {
    const allowed = new Set(['freeze/frozen', 'unfreeze/open', 'close/closed']);
    allowed.add('update_metadata/open').add('update_metadata/frozen');
    for (const change of accountChanges) {
      for (const status of accountStatuses) {
        if (allowed.has(`${change}/${status}`)) continue;
        assert.throws(
          () => eventToAvro(event({ ...changed, change, status })),
          refused('payload.status'),
          `${change} to ${status}`,
        );
      }
    }
    const record = eventToAvro(event(changed));
    assert.ok(branchNames.accountChanged in record.payload);
    record.payload[branchNames.accountChanged].status = 'open';
    assert.throws(() => eventFromAvro(record), refused('payload.status'));
    record.payload[branchNames.accountChanged].status = 'suspended';
    assert.throws(() => eventFromAvro(record), refused('payload.status'));
  });

  void it('given an applied change at revision 1 (the opening), when converted, then it is refused both ways', () => {
    assert.throws(
      () => eventToAvro(event({ ...changed, revision: 1 })),
      refused('payload.revision'),
    );
    const record = eventToAvro(event(changed));
    assert.ok(branchNames.accountChanged in record.payload);
    record.payload[branchNames.accountChanged].revision = 1;
    assert.throws(() => eventFromAvro(record), refused('payload.revision'));
  });

  void it('given every account change rejection code, when converted both ways, then it is unchanged', () => {
    for (const code of accountChangeRejectionCodes) {
      const value = event({ type: 'AccountChangeRejected', accountId: 'a', change: 'close', code });
      assert.deepEqual(eventRoundTrip(value), value);
    }
  });

  void it('given a rejection with a code outside the account change codes, when converted, then it is refused both ways', () => {
    const rejected: EventPayload = {
      type: 'AccountChangeRejected',
      accountId: 'alice',
      change: 'freeze',
      code: 'account_status_conflict',
    };
    assert.throws(
      () => eventToAvro(event({ ...rejected, code: 'insufficient_funds' as never })),
      refused('payload.code'),
    );
    const record = eventToAvro(event(rejected));
    assert.ok(branchNames.accountChangeRejected in record.payload);
    record.payload[branchNames.accountChangeRejected].code = 'account_exists';
    assert.throws(() => eventFromAvro(record), refused('payload.code'));
  });

  void it('given a balance with and without a revision, when converted both ways, then it is unchanged', () => {
    const balance = { accountId: 'alice', currency: 'USD', balance: 10n, version: 3, updatedAt: 1 };
    assert.deepEqual(balanceFromAvro(balanceToAvro(balance)), balance);
    assert.equal(balanceToAvro(balance).revision, null);
    const revised = { ...balance, revision: 4 };
    assert.deepEqual(balanceFromAvro(balanceToAvro(revised)), revised);
    assert.deepEqual(balanceToAvro(revised).revision, { long: 4 });
  });

  void it('given a balance at revision 0, when converted, then it is refused both ways', () => {
    const balance = { accountId: 'alice', currency: 'USD', balance: 10n, version: 3, updatedAt: 1 };
    assert.throws(() => balanceToAvro({ ...balance, revision: 0 }), refused('revision'));
    const record = { ...balanceToAvro(balance), revision: { long: 0 } };
    assert.throws(() => balanceFromAvro(record), refused('revision'));
  });
});
