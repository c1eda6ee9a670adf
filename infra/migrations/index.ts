import type { Migration } from './migration.ts';
import { accountsMigration } from './0001_accounts.ts';
import { appendOnlyGuardMigration } from './0002_append_only_guard.ts';
import { transfersMigration } from './0003_transfers.ts';
import { postingsMigration } from './0004_postings.ts';
import { commandOutcomesMigration } from './0005_command_outcomes.ts';
import { outboxMigration } from './0006_outbox.ts';
import { consumerOffsetsMigration } from './0007_consumer_offsets.ts';
import { accountViewMigration } from './0008_account_view.ts';
import { accountHistoryMigration } from './0009_account_history.ts';
import { transferViewMigration } from './0010_transfer_view.ts';
import { projectorOffsetsMigration } from './0011_projector_offsets.ts';
import { projectorUnpublishedBalancesMigration } from './0012_projector_unpublished_balances.ts';
import { outboxPublishedPositionMigration } from './0013_outbox_published_position.ts';
import { dropProjectorUnpublishedBalancesMigration } from './0014_drop_projector_unpublished_balances.ts';
import { transferReversalsMigration } from './0015_transfer_reversals.ts';
import { eventChainHeadsMigration } from './0016_event_chain_heads.ts';
import { accountLifecycleMigration } from './0018_account_lifecycle.ts';
import { pendingTransfersMigration } from './0017_pending_transfers.ts';

export type { Migration } from './migration.ts';

/**
 * The ledger's Postgres schema, as an ordered list of knex migrations. Listed explicitly (not
 * read from a folder) so the same code runs under tsx, compiled JS and in tests, and so every
 * migration is reviewed with its `down`. The write side of the ledger (the processor's tables)
 * comes first; read models belong to the projector and come after these. Append only: a
 * released migration is never edited, a change is a new one.
 */
export const migrations: readonly Migration[] = [
  accountsMigration,
  appendOnlyGuardMigration,
  transfersMigration,
  postingsMigration,
  commandOutcomesMigration,
  outboxMigration,
  consumerOffsetsMigration,
  // The read side (the projector's tables, read by the query API).
  accountViewMigration,
  accountHistoryMigration,
  transferViewMigration,
  projectorOffsetsMigration,
  projectorUnpublishedBalancesMigration,
  // The write side again: later changes to either side follow in release order.
  outboxPublishedPositionMigration,
  dropProjectorUnpublishedBalancesMigration,
  transferReversalsMigration,
  eventChainHeadsMigration,
  pendingTransfersMigration,
  accountLifecycleMigration,
];
