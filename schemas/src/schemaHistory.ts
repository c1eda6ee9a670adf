import { readFileSync } from 'node:fs';
import type avro from 'avsc';
import { avroDirectory, avroTypeFor, type LedgerSchemaName } from './avroSchemas.ts';

/**
 * Every version of each value schema that was ever published: the current one in avro/<Name>.avsc,
 * the ones it replaced in avro/history/<Name>.v<N>.avsc, never edited. Messages written with an
 * old version stay in Kafka (the events topic is kept forever) and must still decode; consumers
 * that still run an old version must still decode what the current one writes. The golden
 * fixtures and schemaHistory.unit.test.ts hold every version to both.
 */
export const ledgerSchemaVersions: Readonly<Record<LedgerSchemaName, number>> = {
  // v2: Transfer, TransferPosted and TransferRejected gained `reversalOf` (default null).
  // v3: pending transfers: Transfer gained `pending`/`timeoutSeconds`, new branches SettlePending,
  // TransferPending, PendingPosted, PendingVoided and SettlementRejected, Leg gained `heldAfter`.
  // v4: account lifecycle: new branches ChangeAccount, AccountChanged and AccountChangeRejected.
  // New union branches: consumers first (schemas/README.md, "Evolving a schema").
  LedgerCommand: 4,
  LedgerEvent: 4,
  // v2: `available` (default null). v3: `revision` (default null).
  BalanceChanged: 3,
  DeadLetter: 1,
};

/** The Avro type of `name` as version `version` wrote it (the current file for the current one). */
export function historicSchemaType(name: LedgerSchemaName, version: number): avro.Type {
  return avroTypeFor(JSON.parse(historicSchemaText(name, version)) as avro.Schema);
}

/** The schema text of `name` at `version`, compact, as it was registered. */
export function historicSchemaText(name: LedgerSchemaName, version: number): string {
  const current = ledgerSchemaVersions[name];
  if (!Number.isInteger(version) || version < 1 || version > current) {
    throw new Error(`${name} has versions 1 to ${current}, not ${version}`);
  }
  const file =
    version === current
      ? new URL(`${name}.avsc`, avroDirectory)
      : new URL(`history/${name}.v${version}.avsc`, avroDirectory);
  return JSON.stringify(JSON.parse(readFileSync(file, 'utf8')) as unknown);
}
