// @ledger/schemas: the wire contract of the ledger's Kafka topics (see README.md).
export * from './domainTypes.ts';
export * from './amounts.ts';
export * from './fieldRules.ts';
export * from './pathIds.ts';
export * from './metadataLimits.ts';
export * from './wireContractError.ts';
export * from './commandConverter.ts';
export * from './eventConverter.ts';
export * from './balanceConverter.ts';
export * from './deadLetterConverter.ts';
export * from './requestHash.ts';
export * from './canonicalJson.ts';
export * from './eventChain.ts';
export * from './ledgerSubjects.ts';
export * from './wireFormat.ts';
export * from './schemaRegistryClient.ts';
export * from './ledgerSerde.ts';
export * from './registerSchemas.ts';
export {
  ledgerSchemas,
  ledgerSchemaNames,
  type LedgerSchema,
  type LedgerSchemaName,
} from './avroSchemas.ts';
export { ledgerSchemaVersions, historicSchemaText, historicSchemaType } from './schemaHistory.ts';
export type * from './avroRecordTypes.ts';
export { branchNames } from './avroRecordTypes.ts';
