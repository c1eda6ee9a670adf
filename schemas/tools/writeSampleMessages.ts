// Writes one message per golden fixture, encoded by our serde in the Confluent wire format, to
// <outputDir>/<fixture>.bin: the exact bytes a producer puts in a Kafka message value. They let
// auditDecode.sh be tried without Kafka. Registers the schemas first (idempotent), under the
// topics of LEDGER_TOPIC_PREFIX in the registry at LEDGER_REGISTRY_URL.
//   node --import tsx schemas/tools/writeSampleMessages.ts /tmp/ledger-samples
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, readStackConfig, topicNames } from '@ledger/runtime';
import {
  createLedgerSerde,
  createSchemaRegistryClient,
  registerSchemas,
  type LedgerSerde,
} from '../src/index.ts';
import { readFixtures, type GoldenFixture } from '../test/goldenFixtureFormat.ts';

const outputDirectory = process.argv[2];
if (outputDirectory === undefined) {
  process.stderr.write('usage: writeSampleMessages.ts <outputDir>\n');
  process.exit(2);
}

const config = readStackConfig();
const topics = topicNames(config.topicPrefix);
const logger = createLogger({ level: 'warn' });
await registerSchemas({ registryUrl: config.registryUrl, topics, logger });
const serde = await createLedgerSerde({
  registry: createSchemaRegistryClient({ registryUrl: config.registryUrl }),
  topics,
});

mkdirSync(outputDirectory, { recursive: true });
for (const { file, fixture } of readFixtures()) {
  const message = encode(serde, fixture);
  const target = join(outputDirectory, file.replace(/\.json$/, '.bin'));
  writeFileSync(target, message);
  process.stdout.write(`${target}: ${message.length} bytes, schema id ${message.readInt32BE(1)}\n`);
}

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
