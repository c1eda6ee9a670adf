import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandType, EventType } from '../src/index.ts';
import { fixtureCodecs, readFixtures } from './goldenFixtureFormat.ts';

// These pin the wire format. If one fails after a change, that change would make consumers
// misread messages already in Kafka (the events topic is kept forever): fix the change.
const fixtures = readFixtures();

void describe('golden fixtures', () => {
  for (const { file, fixture } of fixtures) {
    void describe(`${file}: ${fixture.description}`, () => {
      const codec = fixtureCodecs[fixture.schema];
      const goldenBody = Buffer.from(fixture.avroBodyHex, 'hex');
      const version = fixture.schemaVersion ?? 1;

      void it('given the golden bytes, when decoded, then they give the domain example', () => {
        assert.deepStrictEqual(codec.decode(goldenBody, version), fixture.domain);
      });

      void it('given the domain example, when encoded, then it gives exactly the golden bytes', () => {
        assert.equal(codec.encode(fixture.domain, version).toString('hex'), fixture.avroBodyHex);
      });
    });
  }

  void it('given the fixtures, then every command and event type and every topic value has one', () => {
    const payloadTypes = new Set<string>();
    const schemas = new Set<string>();
    for (const { fixture } of fixtures) {
      schemas.add(fixture.schema);
      const payload = (fixture.domain as { payload?: { type?: string } }).payload;
      if (payload?.type !== undefined) payloadTypes.add(payload.type);
    }
    const commandTypes: Record<CommandType, true> = {
      OpenAccount: true,
      Transfer: true,
      SettlePending: true,
      ChangeAccount: true,
    };
    const eventTypes: Record<EventType, true> = {
      AccountOpened: true,
      TransferPosted: true,
      TransferRejected: true,
      AccountOpenRejected: true,
      TransferPending: true,
      PendingPosted: true,
      PendingVoided: true,
      SettlementRejected: true,
      AccountChanged: true,
      AccountChangeRejected: true,
    };
    const expected = [...Object.keys(commandTypes), ...Object.keys(eventTypes)];
    assert.deepEqual([...payloadTypes].sort(), expected.sort());
    assert.deepEqual([...schemas].sort(), [
      'BalanceChanged',
      'DeadLetter',
      'LedgerCommand',
      'LedgerEvent',
    ]);
  });
});
