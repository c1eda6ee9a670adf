/**
 * The names of one complete set of read-model tables. The live projector writes the live set, the
 * rebuild writes a fresh set beside it and renames it into place. Names are SQL identifiers
 * interpolated into statements, so they only ever come from this file, never from input.
 */
export interface ReadModelTables {
  readonly accountView: string;
  readonly accountHistory: string;
  readonly transferView: string;
}

/** The tables the query API reads (infra/migrations/0008-0010). */
export const liveTables: ReadModelTables = {
  accountView: 'account_view',
  accountHistory: 'account_history',
  transferView: 'transfer_view',
};

/** Where the rebuild replays into before the swap. */
export const rebuildTables: ReadModelTables = {
  accountView: 'account_view_rebuild',
  accountHistory: 'account_history_rebuild',
  transferView: 'transfer_view_rebuild',
};

export const tableKinds = ['accountView', 'accountHistory', 'transferView'] as const;
