import { readdirSync, readFileSync } from 'node:fs';
import type avro from 'avsc';
import {
  balanceFromAvro,
  balanceToAvro,
  commandFromAvro,
  commandToAvro,
  deadLetterFromAvro,
  deadLetterToAvro,
  eventFromAvro,
  eventToAvro,
  historicSchemaType,
  ledgerSchemas,
  ledgerSchemaVersions,
  type LedgerSchemaName,
} from '../src/index.ts';

/**
 * A golden fixture pins one message to its exact Avro binary body (no Confluent header: the schema
 * id depends on the registry). Files are JSON; values JSON cannot hold are tagged objects:
 * `{ "$bigint": "-500" }` for bigint, `{ "$hex": "0a0b" }` for a Buffer.
 */
export interface GoldenFixture {
  readonly description: string;
  readonly schema: LedgerSchemaName;
  /**
   * The schema version that wrote the bytes (schemas/src/schemaHistory.ts); absent means 1, the
   * version every fixture written before versions were counted pins.
   */
  readonly schemaVersion?: number;
  readonly domain: unknown;
  readonly avroBodyHex: string;
}

export const fixturesDirectory = new URL('./fixtures/', import.meta.url);

/**
 * Domain value <-> Avro body through the converters, for each schema (no registry involved). The
 * body is written by the fixture's schema version and read through Avro schema resolution into
 * the current one, as a consumer reads an old message; for the current version that is the plain
 * codec.
 */
export const fixtureCodecs: Record<
  LedgerSchemaName,
  {
    encode(domain: unknown, version?: number): Buffer;
    decode(body: Buffer, version?: number): unknown;
  }
> = {
  LedgerCommand: codec('LedgerCommand', commandToAvro, commandFromAvro),
  LedgerEvent: codec('LedgerEvent', eventToAvro, eventFromAvro),
  BalanceChanged: codec('BalanceChanged', balanceToAvro, balanceFromAvro),
  DeadLetter: codec('DeadLetter', deadLetterToAvro, deadLetterFromAvro),
};

function codec<Domain, AvroRecord>(
  name: LedgerSchemaName,
  toAvro: (value: Domain) => AvroRecord,
  fromAvro: (record: AvroRecord) => Domain,
) {
  const reader: avro.Type = ledgerSchemas[name].type;
  const writer = (version: number) => historicSchemaType(name, version);
  return {
    // A record has the current fields; an older writer schema writes the ones it knows.
    encode: (domain: unknown, version = ledgerSchemaVersions[name]) =>
      writer(version).toBuffer(toAvro(domain as Domain)),
    decode: (body: Buffer, version = ledgerSchemaVersions[name]): unknown =>
      fromAvro(reader.fromBuffer(body, reader.createResolver(writer(version))) as AvroRecord),
  };
}

export function fixtureToJson(fixture: GoldenFixture): string {
  return JSON.stringify(fixture, tagValue, 2) + '\n';
}

export function readFixtures(): { file: string; fixture: GoldenFixture }[] {
  return readdirSync(fixturesDirectory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      fixture: JSON.parse(
        readFileSync(new URL(file, fixturesDirectory), 'utf8'),
        untagValue,
      ) as GoldenFixture,
    }));
}

function tagValue(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls Buffer#toJSON before the replacer; read the raw value from the holder.
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return { $bigint: raw.toString() };
  if (Buffer.isBuffer(raw)) return { $hex: raw.toString('hex') };
  return value;
}

function untagValue(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const tagged = value as { $bigint?: unknown; $hex?: unknown };
  if (typeof tagged.$bigint === 'string') return BigInt(tagged.$bigint);
  if (typeof tagged.$hex === 'string') return Buffer.from(tagged.$hex, 'hex');
  return value;
}
