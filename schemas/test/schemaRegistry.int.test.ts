import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger, readStackConfig, topicNames } from '@ledger/runtime';
import avro from 'avsc';
import {
  commandFromAvro,
  commandToAvro,
  createLedgerSerde,
  createSchemaRegistryClient,
  frameMessage,
  historicSchemaText,
  ledgerSchemas,
  ledgerSchemaVersions,
  ledgerSubjects,
  registerSchemas,
  WireContractError,
  type LedgerCommand,
  type LedgerCommandRecord,
  type LedgerEvent,
  type LedgerSerde,
} from '../src/index.ts';
import { createRegistryHttp, RegistryHttpError } from '../src/registryHttp.ts';
import { readFixtures } from './goldenFixtureFormat.ts';

// Against the real registry (LEDGER_REGISTRY_URL). Each run has its own topic prefix, so its
// subjects are its own; they are deleted at the end (content still used elsewhere survives).
const { registryUrl } = readStackConfig();
const topics = topicNames(`schemas-it-${randomUUID().slice(0, 8)}`);
const subjects = ledgerSubjects(topics);
const registryHttp = createRegistryHttp(registryUrl);
const logLines: string[] = [];
const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
const fixtures = readFixtures().map(({ fixture }) => fixture);
const commandFixture = fixtures.find((fixture) => fixture.schema === 'LedgerCommand');
const eventFixture = fixtures.find((fixture) => fixture.schema === 'LedgerEvent');
assert.ok(commandFixture && eventFixture, 'golden fixtures for commands and events exist');
const command = commandFixture.domain as LedgerCommand;
const commandsSubject = `${topics.commands}-value`;
const eventsSubject = `${topics.events}-value`;
/** Subjects the old-version test registers superseded schemas under; deleted at the end. */
const historySubjects = new Set<string>();

/** A copy of one of our schemas, changed by `change`, as JSON text. */
function changedSchema(
  name: 'LedgerCommand' | 'LedgerEvent',
  change: (schema: SchemaJson) => void,
): string {
  const schema = JSON.parse(ledgerSchemas[name].text) as SchemaJson;
  change(schema);
  return JSON.stringify(schema);
}
interface SchemaJson {
  fields: { name: string; type: unknown; default?: unknown }[];
}
const withChannel = (schema: SchemaJson) => {
  schema.fields.push({ name: 'channel', type: ['null', 'string'], default: null });
};

void describe('schemas against the real registry', () => {
  let serde: LedgerSerde;

  before(async () => {
    await registerSchemas({ registryUrl, topics, logger });
    serde = await createLedgerSerde({
      registry: createSchemaRegistryClient({ registryUrl }),
      topics,
    });
  });

  after(async () => {
    for (const { subject } of subjects) await registryHttp.deleteSubject(subject);
    for (const subject of historySubjects) await registryHttp.deleteSubject(subject);
  });

  void it('given registerSchemas ran, then every subject is BACKWARD and holds our schema text', async () => {
    for (const { kind, subject, schema } of subjects) {
      assert.equal(await registryHttp.getCompatibility(subject), 'BACKWARD', subject);
      assert.equal(await registryHttp.getSchemaText(serde.schemaIds[kind]), schema.text, subject);
    }
    assert.equal(
      logLines.filter((line) => line.includes('schema registered')).length,
      subjects.length,
    );
  });

  void it('given registered schemas, when registerSchemas runs again, then ids do not change', async () => {
    await registerSchemas({ registryUrl, topics, logger });
    const again = await createLedgerSerde({
      registry: createSchemaRegistryClient({ registryUrl }),
      topics,
    });
    assert.deepEqual(again.schemaIds, serde.schemaIds);
  });

  void it('given every golden fixture, when encoded, then the body is golden and it decodes back', async () => {
    const current = fixtures.filter(
      (fixture) => (fixture.schemaVersion ?? 1) === ledgerSchemaVersions[fixture.schema],
    );
    for (const fixture of current) {
      const [message, decoded] = await {
        LedgerCommand: async (value: never) => {
          const bytes = serde.encodeCommand(value);
          return [bytes, await serde.decodeCommand(bytes)] as const;
        },
        LedgerEvent: async (value: never) => {
          const bytes = serde.encodeEvent(value);
          return [bytes, await serde.decodeEvent(bytes)] as const;
        },
        BalanceChanged: async (value: never) => {
          const bytes = serde.encodeBalance(value);
          return [bytes, await serde.decodeBalance(bytes)] as const;
        },
        DeadLetter: async (value: never) => {
          const bytes = serde.encodeDeadLetter(value);
          return [bytes, await serde.decodeDeadLetter(bytes)] as const;
        },
      }[fixture.schema](fixture.domain as never);
      assert.equal(message.subarray(5).toString('hex'), fixture.avroBodyHex, fixture.description);
      assert.deepStrictEqual(decoded, fixture.domain, fixture.description);
    }
  });

  void it('given golden bytes an older schema version wrote, when framed with its registered id, then they decode to the domain example', async () => {
    const older = fixtures.filter(
      (fixture) => (fixture.schemaVersion ?? 1) < ledgerSchemaVersions[fixture.schema],
    );
    assert.ok(older.length > 0, 'fixtures of superseded versions exist');
    for (const fixture of older) {
      const version = fixture.schemaVersion ?? 1;
      // A subject of its own, as an old producer's registration would have been.
      const subject = `${topics.events}-${fixture.schema}-v${version}`;
      historySubjects.add(subject);
      const id = await registryHttp.registerSchema(
        subject,
        historicSchemaText(fixture.schema, version),
      );
      const framed = frameMessage(id, Buffer.from(fixture.avroBodyHex, 'hex'));
      const decoded =
        fixture.schema === 'LedgerCommand'
          ? await serde.decodeCommand(framed)
          : fixture.schema === 'BalanceChanged'
            ? await serde.decodeBalance(framed)
            : await serde.decodeEvent(framed);
      assert.deepStrictEqual(decoded, fixture.domain, fixture.description);
    }
  });

  void it('given BACKWARD, when a field without default is added, then the registry refuses it with 409', async () => {
    const incompatible = changedSchema('LedgerCommand', (schema) => {
      schema.fields.push({ name: 'channel', type: 'string' });
    });
    await assert.rejects(
      registryHttp.registerSchema(commandsSubject, incompatible),
      (error: unknown) => error instanceof RegistryHttpError && error.status === 409,
    );
  });

  void it('given BACKWARD, when a union branch is removed, then the registry refuses it with 409', async () => {
    const incompatible = changedSchema('LedgerEvent', (schema) => {
      const payload = schema.fields.find((field) => field.name === 'payload');
      assert.ok(payload && Array.isArray(payload.type));
      payload.type.pop(); // AccountOpenRejected: old events holding it could not be read
    });
    await assert.rejects(
      registryHttp.registerSchema(eventsSubject, incompatible),
      (error: unknown) => error instanceof RegistryHttpError && error.status === 409,
    );
  });

  void it('given old bytes, when a field with a default is added, then it is accepted and old and new bytes decode', async () => {
    const oldMessage = serde.encodeCommand(command);
    const evolvedText = changedSchema('LedgerCommand', withChannel);
    const evolvedId = await registryHttp.registerSchema(commandsSubject, evolvedText);
    assert.notEqual(evolvedId, serde.schemaIds.commands);

    // An upgraded consumer (reader = evolved schema) reads the old message via the writer schema
    // the registry holds under the id in its header; the new field takes its default.
    const evolvedType = avro.Type.forSchema(JSON.parse(evolvedText) as avro.Schema, {
      wrapUnions: true,
    });
    const writerId = oldMessage.readInt32BE(1);
    const writerText = await registryHttp.getSchemaText(writerId);
    const writerType = avro.Type.forSchema(JSON.parse(writerText) as avro.Schema, {
      wrapUnions: true,
    });
    const upgraded = evolvedType.fromBuffer(
      oldMessage.subarray(5),
      evolvedType.createResolver(writerType),
    ) as LedgerCommandRecord & { channel: unknown };
    assert.equal(upgraded.channel, null);
    assert.deepStrictEqual(commandFromAvro(upgraded), command);

    // Our consumer still reads old bytes, and bytes a newer producer wrote with the evolved id.
    assert.deepStrictEqual(await serde.decodeCommand(oldMessage), command);
    const newMessage = frameMessage(
      evolvedId,
      evolvedType.toBuffer({ ...commandToAvro(command), channel: { string: 'web' } }),
    );
    assert.deepStrictEqual(await serde.decodeCommand(newMessage), command);

    // The starter re-running with the older schema keeps working: it finds the existing id.
    await registerSchemas({ registryUrl, topics, logger });
  });

  void it('given an id the registry never issued, when decoded, then it is unknown_schema_id', async () => {
    const event = eventFixture.domain as LedgerEvent;
    const body = serde.encodeEvent(event).subarray(5);
    await assert.rejects(
      serde.decodeEvent(frameMessage(2_000_000_000, body)),
      (error: unknown) => error instanceof WireContractError && error.code === 'unknown_schema_id',
    );
  });
});
