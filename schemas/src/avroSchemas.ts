import { readFileSync } from 'node:fs';
import avro from 'avsc';

/**
 * The four value schemas of avro/*.avsc, loaded once, with the avsc options every Type of this
 * package is built with. Options are explicit rather than avsc's defaults:
 * - `wrapUnions: true`: every union value is `null` or `{ <branch name>: value }`. avsc's default
 *   ('auto') wraps some unions and not others depending on their branches, so adding a branch could
 *   change how a field looks in JS; wrapped is also how Avro's JSON encoding (and avro-tools) shows
 *   unions. The converters hide the wrapping from the domain.
 * - no `logicalTypes`: timestamp-millis stays a number of milliseconds (the domain's EpochMillis),
 *   the annotation is kept in the schema for other languages' tools.
 * - longs use avsc's default type, which throws rather than lose precision past 2^53.
 */
export type LedgerSchemaName = 'LedgerCommand' | 'LedgerEvent' | 'BalanceChanged' | 'DeadLetter';

export interface LedgerSchema {
  readonly name: LedgerSchemaName;
  /** Full Avro name, e.g. `ledger.v1.LedgerCommand`. */
  readonly fullName: string;
  /** Compact JSON exactly as registered: registration and lookup must send identical text. */
  readonly text: string;
  readonly type: avro.Type;
}

export const avroDirectory = new URL('../avro/', import.meta.url);
export const ledgerSchemaNames = [
  'LedgerCommand',
  'LedgerEvent',
  'BalanceChanged',
  'DeadLetter',
] as const satisfies readonly LedgerSchemaName[];

/** A fresh options object per call: avsc stores named types in it, so sharing one fails. */
export function avroTypeFor(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { wrapUnions: true });
}

export function loadLedgerSchema(name: LedgerSchemaName): LedgerSchema {
  const file = new URL(`${name}.avsc`, avroDirectory);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as avro.Schema;
  const type = avroTypeFor(parsed);
  return { name, fullName: type.name ?? name, text: JSON.stringify(parsed), type };
}

export const ledgerSchemas: Readonly<Record<LedgerSchemaName, LedgerSchema>> = {
  LedgerCommand: loadLedgerSchema('LedgerCommand'),
  LedgerEvent: loadLedgerSchema('LedgerEvent'),
  BalanceChanged: loadLedgerSchema('BalanceChanged'),
  DeadLetter: loadLedgerSchema('DeadLetter'),
};
