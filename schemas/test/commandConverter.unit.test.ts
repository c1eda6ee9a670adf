import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  branchNames,
  commandFromAvro,
  commandToAvro,
  WireContractError,
  type LedgerCommand,
  type LedgerCommandRecord,
  type Transfer,
} from '../src/index.ts';

const transfer: LedgerCommand<Transfer> = {
  commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
  idempotencyKey: 't-1',
  requestHash: 'ab'.repeat(32),
  receivedAt: 1_768_469_400_123,
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  payload: {
    type: 'Transfer',
    transferId: 't-1',
    fromAccountId: 'alice',
    toAccountId: 'bob',
    amount: 9_223_372_036_854_775_807n,
    currency: 'USD',
    metadata: { z: '1', a: '2' },
  },
};

const refused = (code: WireContractError['code'], field: string) => (error: unknown) =>
  error instanceof WireContractError && error.code === code && error.field === field;

void describe('commandToAvro / commandFromAvro', () => {
  void it('given a transfer, when converted to Avro, then the union is wrapped and amounts are strings', () => {
    const record = commandToAvro(transfer);
    assert.deepEqual(record.traceparent, { string: transfer.traceparent });
    assert.ok(branchNames.transfer in record.payload);
    const body = record.payload[branchNames.transfer];
    assert.equal(body.amount, '9223372036854775807');
    assert.deepEqual(Object.keys(body.metadata), ['a', 'z']);
  });

  void it('given a transfer, when converted to Avro and back, then it is unchanged', () => {
    assert.deepStrictEqual(commandFromAvro(commandToAvro(transfer)), transfer);
  });

  void it('given an open-account without traceparent, when round-tripped, then traceparent stays null', () => {
    const openAccount: LedgerCommand = {
      ...transfer,
      traceparent: null,
      payload: {
        type: 'OpenAccount',
        accountId: 'alice',
        currency: 'VND',
        overdraftLimit: 0n,
        metadata: {},
      },
    };
    const record = commandToAvro(openAccount);
    assert.equal(record.traceparent, null);
    assert.ok(branchNames.openAccount in record.payload);
    assert.deepStrictEqual(commandFromAvro(record), openAccount);
  });

  const badRecords: [
    string,
    (record: LedgerCommandRecord) => void,
    WireContractError['code'],
    string,
  ][] = [
    [
      'an amount with a leading zero',
      (r) => (transferOf(r).amount = '0100'),
      'invalid_amount',
      'payload.amount',
    ],
    ['a negative amount', (r) => (transferOf(r).amount = '-5'), 'invalid_amount', 'payload.amount'],
    [
      'an amount over int64',
      (r) => (transferOf(r).amount = '9223372036854775808'),
      'invalid_amount',
      'payload.amount',
    ],
    [
      'an id with a space',
      (r) => (transferOf(r).toAccountId = 'b ob'),
      'invalid_id',
      'payload.toAccountId',
    ],
    [
      'a 65-character id',
      (r) => (transferOf(r).transferId = 'x'.repeat(65)),
      'invalid_id',
      'payload.transferId',
    ],
    [
      'a lower-case currency',
      (r) => (transferOf(r).currency = 'usd'),
      'invalid_request',
      'payload.currency',
    ],
    [
      'an upper-case request hash',
      (r) => (r.requestHash = 'AB'.repeat(32)),
      'invalid_request',
      'requestHash',
    ],
    [
      'a malformed traceparent',
      (r) => (r.traceparent = { string: 'trace-me' }),
      'invalid_request',
      'traceparent',
    ],
    ['a negative receivedAt', (r) => (r.receivedAt = -1), 'invalid_request', 'receivedAt'],
    [
      'an empty idempotency key',
      (r) => (r.idempotencyKey = ''),
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'a 65-character idempotency key (the API refuses it)',
      (r) => (r.idempotencyKey = 'k'.repeat(65)),
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'an idempotency key outside the id pattern',
      (r) => (r.idempotencyKey = 'order/42'),
      'invalid_request',
      'idempotencyKey',
    ],
  ];
  for (const [what, spoil, code, field] of badRecords) {
    void it(`given a record with ${what}, when decoded, then ${code} names ${field}`, () => {
      const record = commandToAvro(transfer);
      spoil(record);
      assert.throws(() => commandFromAvro(record), refused(code, field));
    });
  }

  void it('given a domain transfer with a zero amount, when encoded, then it is refused before the wire', () => {
    const zero = { ...transfer, payload: { ...transfer.payload, amount: 0n } };
    assert.throws(() => commandToAvro(zero), refused('invalid_amount', 'payload.amount'));
  });

  void it('given a payload of an unknown type, when encoded, then the exhaustive switch refuses it', () => {
    const unknown = { ...transfer, payload: { type: 'CloseAccount' } } as unknown as LedgerCommand;
    assert.throws(() => commandToAvro(unknown), refused('invalid_request', 'payload.type'));
  });

  void it('given a record whose union branch is unknown, when decoded, then it is refused', () => {
    const record = commandToAvro(transfer);
    const spoiled = {
      ...record,
      payload: { 'ledger.v1.CloseAccount': {} },
    } as unknown as LedgerCommandRecord;
    assert.throws(() => commandFromAvro(spoiled), refused('invalid_request', 'payload'));
  });
});

function transferOf(record: LedgerCommandRecord) {
  assert.ok(branchNames.transfer in record.payload);
  return record.payload[branchNames.transfer];
}
