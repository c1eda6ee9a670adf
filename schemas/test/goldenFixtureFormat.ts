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
  ledgerSchemas,
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
  readonly domain: unknown;
  readonly avroBodyHex: string;
}

export const fixturesDirectory = new URL('./fixtures/', import.meta.url);

/** Domain value <-> Avro body through the converters, for each schema (no registry involved). */
export const fixtureCodecs: Record<
  LedgerSchemaName,
  { encode(domain: unknown): Buffer; decode(body: Buffer): unknown }
> = {
  LedgerCommand: codec(ledgerSchemas.LedgerCommand.type, commandToAvro, commandFromAvro),
  LedgerEvent: codec(ledgerSchemas.LedgerEvent.type, eventToAvro, eventFromAvro),
  BalanceChanged: codec(ledgerSchemas.BalanceChanged.type, balanceToAvro, balanceFromAvro),
  DeadLetter: codec(ledgerSchemas.DeadLetter.type, deadLetterToAvro, deadLetterFromAvro),
};

function codec<Domain, AvroRecord>(
  type: avro.Type,
  toAvro: (value: Domain) => AvroRecord,
  fromAvro: (record: AvroRecord) => Domain,
) {
  return {
    encode: (domain: unknown) => type.toBuffer(toAvro(domain as Domain)),
    decode: (body: Buffer): unknown => fromAvro(type.fromBuffer(body) as AvroRecord),
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
