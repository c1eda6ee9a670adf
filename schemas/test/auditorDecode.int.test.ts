import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createLogger, readStackConfig, topicNames } from '@ledger/runtime';
import {
  createLedgerSerde,
  createSchemaRegistryClient,
  ledgerSchemas,
  ledgerSubjects,
  registerSchemas,
  type LedgerSerde,
} from '../src/index.ts';
import { createRegistryHttp } from '../src/registryHttp.ts';
import { readFixtures, type GoldenFixture } from './goldenFixtureFormat.ts';

// A client nobody here wrote must read our data: Apache avro-tools (Java), given only the bytes
// of a message and the registry, through tools/auditDecode.sh exactly as auditors run it. Its
// JSON must equal what avsc reads from the same bytes. Needs java, and mvn on first run (~57 MB).
const run = promisify(execFile);
const script = new URL('../tools/auditDecode.sh', import.meta.url).pathname;
const { registryUrl } = readStackConfig();
const topics = topicNames(`schemas-audit-${randomUUID().slice(0, 8)}`);
const workDirectory = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
const auditTimeoutMs = 180_000; // the first run fetches avro-tools from Maven Central

void describe('auditDecode.sh (kcat/registry/avro-tools path) on bytes from our serde', () => {
  let serde: LedgerSerde;

  before(async () => {
    await registerSchemas({ registryUrl, topics, logger: createLogger({ level: 'warn' }) });
    serde = await createLedgerSerde({
      registry: createSchemaRegistryClient({ registryUrl }),
      topics,
    });
  });

  after(async () => {
    const registry = createRegistryHttp(registryUrl);
    for (const { subject } of ledgerSubjects(topics)) await registry.deleteSubject(subject);
    rmSync(workDirectory, { recursive: true, force: true });
  });

  for (const { file, fixture } of readFixtures()) {
    void it(`given ${file}, when avro-tools decodes the message, then it reads what avsc reads`, async () => {
      const message = encode(serde, fixture);
      const path = join(workDirectory, file.replace(/\.json$/, '.bin'));
      writeFileSync(path, message);
      const { stdout } = await run('bash', [script, '--file', path], {
        env: { ...process.env, LEDGER_REGISTRY_URL: registryUrl },
        timeout: auditTimeoutMs,
      });
      const avsc = ledgerSchemas[fixture.schema].type.fromBuffer(message.subarray(5)) as unknown;
      assert.deepEqual(JSON.parse(stdout), avroJson(avsc));
    });
  }
});

function encode(codec: LedgerSerde, fixture: GoldenFixture): Buffer {
  switch (fixture.schema) {
    case 'LedgerCommand':
      return codec.encodeCommand(fixture.domain as never);
    case 'LedgerEvent':
      return codec.encodeEvent(fixture.domain as never);
    case 'BalanceChanged':
      return codec.encodeBalance(fixture.domain as never);
    case 'DeadLetter':
      return codec.encodeDeadLetter(fixture.domain as never);
  }
}

/** Avro's JSON encoding of a value avsc decoded: unions wrapped (as avsc gives them), bytes as
 * ISO-8859-1 strings. Longs stay JSON numbers, exact below 2^53. */
function avroJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, inner: unknown) {
      const raw = this[key];
      return Buffer.isBuffer(raw) ? raw.toString('latin1') : inner;
    }),
  );
}
