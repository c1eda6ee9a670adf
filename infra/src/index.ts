// What other workspaces use from infra: the migrator (tests migrate their own schema) and the
// topic layout. The stack itself is driven through infra/src/cli/stackCli.ts.
export {
  createMigrationSource,
  defaultLedgerSchema,
  dropSchema,
  migrateDown,
  migrateLatest,
  migrationStatus,
  rollbackAll,
  type MigrationStatus,
  type MigratorOptions,
} from './migrations/migrator.ts';
export { ensureLedgerTopics, ledgerTopicConfigs, type TopicLayout } from './kafka/topics.ts';
export { failures, failureLine, StackFailure } from './failures.ts';
