// @ledger/projector: keeps the read models (account_view, account_history, transfer_view) from
// ledger.events. main.ts runs it; the rebuild is cli/rebuildCli.ts.
export { readProjectorConfig, type ProjectorConfig } from './config.ts';
export { startProjector, service, type RunningProjector } from './wiring.ts';
export {
  projectEvents,
  compareKeys,
  type AccountViewRow,
  type AccountHistoryRow,
  type TransferViewRow,
  type AccountOpening,
  type ReadModelChanges,
} from './readModelProjection.ts';
export { liveTables, rebuildTables, type ReadModelTables } from './readModelTables.ts';
export {
  rebuildReadModels,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
} from './rebuild/rebuildReadModels.ts';
