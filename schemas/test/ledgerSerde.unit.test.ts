import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { topicNames } from '@ledger/runtime';
import avro from 'avsc';
import {
  branchNames,
  commandToAvro,
  createLedgerSerde,
  createSchemaRegistryClient,
  frameMessage,
  ledgerSchemas,
  ledgerSubjects,
  SchemaRegistryUnavailableError,
  WireContractError,
  type LedgerCommand,
  type LedgerSerde,
} from '../src/index.ts';
import { readFixtures } from './goldenFixtureFormat.ts';
import { InMemorySchemaRegistry } from './inMemorySchemaRegistry.ts';

const topics = topicNames('unit');
const fixtures = new Map(readFixtures().map(({ file, fixture }) => [file, fixture]));
// A transfer the current LedgerCommand version writes to these bytes: v4 only appended the
// ChangeAccount branch, so a v3 transfer fixture is still what the serde writes.
const transferFixture = fixtures.get('command-transfer-pending.json');
assert.ok(transferFixture, 'fixture command-transfer-pending.json exists');
const transfer = transferFixture.domain as LedgerCommand;

const contractError = (code: WireContractError['code']) => (error: unknown) =>
  error instanceof WireContractError && error.code === code && !error.retriable;

/** LedgerCommand as a newer producer might write it: one more field, with a default. */
function evolvedCommandSchema(): avro.Schema {
  const schema = JSON.parse(ledgerSchemas.LedgerCommand.text) as { fields: unknown[] };
  schema.fields.push({ name: 'channel', type: ['null', 'string'], default: null });
  return schema as avro.Schema;
}

void describe('createLedgerSerde with an in-memory registry', () => {
  const registry = new InMemorySchemaRegistry();
  let serde: LedgerSerde;

  before(async () => {
    for (const { subject, schema } of ledgerSubjects(topics))
      registry.register(subject, schema.text);
    serde = await createLedgerSerde({ registry, topics });
  });

  void it('given registered schemas, when a command is encoded, then it is header + the golden body', () => {
    const message = serde.encodeCommand(transfer);
    assert.equal(message[0], 0);
    assert.equal(message.readInt32BE(1), serde.schemaIds.commands);
    assert.equal(message.subarray(5).toString('hex'), transferFixture.avroBodyHex);
  });

  void it('given every golden fixture, when encoded and decoded through the serde, then it is unchanged', async () => {
    for (const fixture of fixtures.values()) {
      const roundTrip = {
        LedgerCommand: (value: never) => serde.decodeCommand(serde.encodeCommand(value)),
        LedgerEvent: (value: never) => serde.decodeEvent(serde.encodeEvent(value)),
        BalanceChanged: (value: never) => serde.decodeBalance(serde.encodeBalance(value)),
        DeadLetter: (value: never) => serde.decodeDeadLetter(serde.encodeDeadLetter(value)),
      }[fixture.schema];
      assert.deepStrictEqual(await roundTrip(fixture.domain as never), fixture.domain);
    }
  });

  void it('given a message from a newer writer schema with an extra field, when decoded, then the field is skipped', async () => {
    const evolved = evolvedCommandSchema();
    const evolvedId = registry.register(`${topics.commands}-value`, JSON.stringify(evolved));
    const record = { ...commandToAvro(transfer), channel: { string: 'web' } };
    const message = frameMessage(
      evolvedId,
      avro.Type.forSchema(evolved, { wrapUnions: true }).toBuffer(record),
    );
    assert.deepStrictEqual(await serde.decodeCommand(message), transfer);
  });

  void it('given a writer schema with a union branch we lack, when decoded, then it is incompatible_schema', async () => {
    const schema = JSON.parse(ledgerSchemas.LedgerCommand.text) as {
      fields: { name: string; type: unknown[] }[];
    };
    const payload = schema.fields.find((field) => field.name === 'payload');
    assert.ok(payload);
    payload.type.push({
      type: 'record',
      name: 'CloseAccount',
      fields: [{ name: 'accountId', type: 'string' }],
    });
    const newerId = registry.register(`${topics.commands}-value`, JSON.stringify(schema));
    const message = frameMessage(newerId, Buffer.from([0]));
    await assert.rejects(serde.decodeCommand(message), contractError('incompatible_schema'));
  });

  void it('given a balance message on the events topic, when decoded as an event, then it is incompatible_schema', async () => {
    const balance = fixtures.get('balance-changed.json');
    assert.ok(balance);
    const message = serde.encodeBalance(balance.domain as never);
    await assert.rejects(serde.decodeEvent(message), contractError('incompatible_schema'));
  });

  void it('given a schema id the registry does not know, when decoded, then it is unknown_schema_id', async () => {
    await assert.rejects(
      serde.decodeCommand(frameMessage(9_999, Buffer.alloc(1))),
      contractError('unknown_schema_id'),
    );
  });

  void it('given a truncated body or JSON bytes, when decoded, then it is malformed_message', async () => {
    const message = serde.encodeCommand(transfer);
    await assert.rejects(
      serde.decodeCommand(message.subarray(0, message.length - 3)),
      contractError('malformed_message'),
    );
    await assert.rejects(
      serde.decodeCommand(Buffer.from('{"amount":"1"}')),
      contractError('malformed_message'),
    );
  });

  void it('given a version past 2^53 on the wire, when decoded, then it fails instead of losing precision', async () => {
    // BalanceChanged body: accountId "a", currency "USD", balance "0", available null,
    // version 2^53 + 1, revision null, updatedAt 0.
    const version = zigZagLong(2n ** 53n + 1n);
    const body = Buffer.concat([
      Buffer.from('02610655534402' + '30' + '00', 'hex'),
      version,
      Buffer.from([0, 0]),
    ]);
    const message = frameMessage(serde.schemaIds.balances, body);
    await assert.rejects(serde.decodeBalance(message), (error: unknown) => {
      assert.ok(contractError('malformed_message')(error));
      assert.match(String((error as Error).message), /precision loss/);
      return true;
    });
  });

  void it('given a valid body whose amount breaks the contract, when decoded, then the converter refuses it', async () => {
    const record = commandToAvro(transfer);
    assert.ok(branchNames.transfer in record.payload);
    record.payload[branchNames.transfer].amount = '007';
    const message = frameMessage(
      serde.schemaIds.commands,
      ledgerSchemas.LedgerCommand.type.toBuffer(record),
    );
    await assert.rejects(serde.decodeCommand(message), contractError('invalid_amount'));
  });
});

void describe('createLedgerSerde when the registry is missing something', () => {
  void it('given schemas not registered, when the serde is created, then it fails at start, not retriable', async () => {
    await assert.rejects(
      createLedgerSerde({ registry: new InMemorySchemaRegistry(), topics }),
      (error: unknown) =>
        error instanceof Error &&
        !(error instanceof SchemaRegistryUnavailableError) &&
        /run registerSchemas/.test(error.message),
    );
  });

  void it('given an unreachable registry, when the serde is created, then the error is retriable', async () => {
    const unreachable = createSchemaRegistryClient({
      registryUrl: 'http://127.0.0.1:9/apis/ccompat/v7',
      retries: 0,
    });
    await assert.rejects(
      createLedgerSerde({ registry: unreachable, topics }),
      (error: unknown) => error instanceof SchemaRegistryUnavailableError && error.retriable,
    );
  });

  void it('given an unreachable registry, when an unseen schema id is decoded, then the error is retriable', async () => {
    const known = new InMemorySchemaRegistry();
    for (const { subject, schema } of ledgerSubjects(topics)) known.register(subject, schema.text);
    const unreachable = createSchemaRegistryClient({
      registryUrl: 'http://127.0.0.1:9/apis/ccompat/v7',
      retries: 0,
    });
    const serde = await createLedgerSerde({
      topics,
      registry: {
        getRegistryIdBySchema: (subject, schema) => known.getRegistryIdBySchema(subject, schema),
        getSchema: (id) => unreachable.getSchema(id),
      },
    });
    await assert.rejects(
      serde.decodeEvent(frameMessage(9_999, Buffer.alloc(1))),
      (error: unknown) => error instanceof SchemaRegistryUnavailableError && error.retriable,
    );
  });
});

/** Avro's long encoding (zig-zag varint) for any int64, to craft bytes avsc would refuse to write. */
function zigZagLong(value: bigint): Buffer {
  let zigZag = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const bytes: number[] = [];
  while (zigZag >= 0x80n) {
    bytes.push(Number((zigZag & 0x7fn) | 0x80n));
    zigZag >>= 7n;
  }
  bytes.push(Number(zigZag));
  return Buffer.from(bytes);
}
