import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  historicSchemaText,
  historicSchemaType,
  ledgerSchemaNames,
  ledgerSchemaVersions,
  type LedgerSchemaName,
} from '../src/index.ts';
import { readFixtures } from './goldenFixtureFormat.ts';

// Every published version of a value schema must stay readable by the current code (old messages
// in Kafka), and what the current code writes must stay readable by consumers still on an old
// version. Avro schema resolution is what both sides use (valueCodec.ts reads through it).
const historyDirectory = new URL('../avro/history/', import.meta.url);

void describe('schema history', () => {
  void it('given the history folder, then it holds exactly the versions before each current one', () => {
    const expected = ledgerSchemaNames.flatMap((name) =>
      Array.from({ length: ledgerSchemaVersions[name] - 1 }, (_, i) => `${name}.v${i + 1}.avsc`),
    );
    const present = existsSync(historyDirectory) ? readdirSync(historyDirectory) : [];
    assert.deepEqual(present.sort(), expected.sort());
  });

  for (const name of ledgerSchemaNames) {
    const current = ledgerSchemaVersions[name];
    for (let version = 1; version < current; version += 1) {
      const added = branchesAdded(name, version, current);
      if (added.length === 0) {
        void it(`given ${name} v${version}, when resolved against v${current} both ways, then each reads the other`, () => {
          const old = historicSchemaType(name, version);
          const now = historicSchemaType(name, current);
          assert.doesNotThrow(() => now.createResolver(old), 'the current code reads old messages');
          assert.doesNotThrow(() => old.createResolver(now), 'old consumers read new messages');
        });
      } else {
        // A new union branch (a new command or event type) is BACKWARD compatible only: avsc
        // cannot read the new writer schema with the old one at all, so consumers are upgraded
        // before producers (README.md, "Evolving a schema"; docs/operations.md).
        void it(`given ${name} v${version}, when v${current} adds ${added.join(', ')}, then v${current} reads v${version} and v${version} refuses v${current}: consumers go first`, () => {
          const old = historicSchemaType(name, version);
          const now = historicSchemaType(name, current);
          assert.doesNotThrow(() => now.createResolver(old), 'the current code reads old messages');
          assert.throws(() => old.createResolver(now), /cannot read/);
        });
      }
    }
  }

  void it('given the golden fixtures, then every schema has one written by its current version', () => {
    const fixtures = readFixtures().map(({ fixture }) => fixture);
    for (const name of ledgerSchemaNames) {
      const current = fixtures.filter(
        (f) => f.schema === name && (f.schemaVersion ?? 1) === ledgerSchemaVersions[name],
      );
      assert.ok(current.length > 0, `${name} has a fixture of v${ledgerSchemaVersions[name]}`);
    }
  });

  void it('given a v2 reversal written by the current schema, when an old consumer reads it, then it sees a plain transfer', () => {
    const fixture = readFixtures().find(({ file }) => file === 'command-transfer-reversal.json');
    assert.ok(fixture);
    const old = historicSchemaType('LedgerCommand', 1);
    const now = historicSchemaType('LedgerCommand', 2);
    const body = Buffer.from(fixture.fixture.avroBodyHex, 'hex');
    const read = old.fromBuffer(body, old.createResolver(now)) as {
      payload: Record<string, Record<string, unknown>>;
    };
    const transfer = read.payload['ledger.v1.Transfer'];
    assert.equal(transfer?.transferId, 'r-124-1');
    assert.equal('reversalOf' in (transfer ?? {}), false);
  });

  void it('given a v3 balance with a revision, when a v2 consumer reads it, then it sees the balance without the revision', () => {
    const fixture = readFixtures().find(({ file }) => file === 'balance-changed-revision.json');
    assert.ok(fixture);
    const old = historicSchemaType('BalanceChanged', 2);
    const now = historicSchemaType('BalanceChanged', 3);
    const body = Buffer.from(fixture.fixture.avroBodyHex, 'hex');
    const read = old.fromBuffer(body, old.createResolver(now)) as Record<string, unknown>;
    assert.equal(read.version, 5);
    assert.equal((read.available as { string?: string } | null)?.string, '7500');
    assert.equal('revision' in read, false);
  });
});

/** Named union branches of `name`'s current schema that `version` lacked. */
function branchesAdded(name: LedgerSchemaName, version: number, current: number): string[] {
  const named = (v: number) =>
    new Set(
      [
        ...JSON.stringify(JSON.parse(historicSchemaText(name, v))).matchAll(
          /"name":"(\w+)","(?:doc|fields)"/g,
        ),
      ].map(([, branch]) => branch ?? ''),
    );
  const before = named(version);
  return [...named(current)].filter((branch) => !before.has(branch) && branch !== name);
}
