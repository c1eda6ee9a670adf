import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Account lifecycle and metadata updates: `POST /v1/accounts/{id}/freeze | unfreeze | close |
 * metadata` (docs/contract.md). The account's status column exists since 0001; what is new is a
 * record of every change and the rules Postgres can hold on its own.
 *
 * - `accounts.revision`: 1 at opening, +1 per accepted change (its settings version; `version`
 *   stays the count of entries). A closed account holds nothing: balance 0 and held 0 (a CHECK,
 *   so a writer that closed a funded account fails here, not in an audit).
 * - `account_changes`: one row per accepted change, the account's settings history, its primary
 *   key (account_id, revision) gapless by construction of the decider; append-only like the rest
 *   of the ledger. `version` is the account's version (its entry count) when it changed, which
 *   orders changes among the account's postings: no posting that moves money or holds it has a
 *   version between a freeze (or close) and the next unfreeze (testing's lifecycle invariants).
 *   `(account_id, idempotency_key)` is unique: a retried change with the same
 *   Idempotency-Key is found here and replayed, not applied twice.
 * - `command_outcomes`: account changes are a kind of their own, with their codes; an applied
 *   one keeps the account's new revision, which the command API answers with.
 * - Read model: `account_view.revision`.
 *
 * New columns have constant defaults (no table rewrite); checks on existing tables are added
 * NOT VALID and validated afterwards, as in 0015 and 0017.
 */
const codesBefore = `'same_account', 'account_not_found', 'account_closed', 'currency_mismatch',
  'insufficient_funds', 'transfer_not_reversible', 'reversal_exceeds_transfer', 'account_exists',
  'idempotency_conflict', 'transfer_not_pending', 'pending_not_expired', 'pending_expired',
  'post_exceeds_pending'`;
const changeCodes = `'revision_conflict', 'account_status_conflict', 'account_not_empty'`;

function outcomeCodesCheck(codes: string): string {
  return `alter table command_outcomes add constraint command_outcomes_code_matches_status check (
        (status = 'applied' and code is null) or (status = 'rejected' and code in (${codes}))
      ) not valid`;
}

export const accountLifecycleMigration: Migration = {
  name: '0018_account_lifecycle',
  async up(knex: Knex) {
    await runStatements(knex, [
      `alter table accounts add column revision bigint not null default 1`,
      `alter table accounts add constraint accounts_revision_positive check (revision >= 1) not valid`,
      `alter table accounts add constraint accounts_closed_empty
        check (status <> 'closed' or (balance = 0 and held = 0)) not valid`,
      `alter table accounts validate constraint accounts_revision_positive`,
      `alter table accounts validate constraint accounts_closed_empty`,
      `create table account_changes (
        account_id text collate "C" not null references accounts (id),
        revision bigint not null,
        version bigint not null,
        command_id text collate "C" not null,
        idempotency_key text not null,
        request_hash text not null,
        change text not null,
        status text not null,
        metadata jsonb not null,
        changed_at timestamptz not null,
        constraint account_changes_pkey primary key (account_id, revision),
        constraint account_changes_key_once unique (account_id, idempotency_key),
        constraint account_changes_revision_after_opening check (revision >= 2),
        constraint account_changes_version_positive check (version >= 1),
        constraint account_changes_change_known
          check (change in ('freeze', 'unfreeze', 'close', 'update_metadata')),
        constraint account_changes_status_follows_change check (
          (change = 'freeze' and status = 'frozen') or
          (change = 'unfreeze' and status = 'open') or
          (change = 'close' and status = 'closed') or
          (change = 'update_metadata' and status in ('open', 'frozen'))
        ),
        constraint account_changes_metadata_is_object check (jsonb_typeof(metadata) = 'object')
      )`,
      `create trigger account_changes_append_only
        before update or delete or truncate on account_changes
        for each statement execute function forbid_ledger_rewrite()`,
      `alter table command_outcomes drop constraint command_outcomes_kind_known`,
      `alter table command_outcomes add constraint command_outcomes_kind_known
        check (kind in ('open_account', 'transfer', 'account_change')) not valid`,
      `alter table command_outcomes validate constraint command_outcomes_kind_known`,
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      outcomeCodesCheck(`${codesBefore}, ${changeCodes}`),
      `alter table command_outcomes validate constraint command_outcomes_code_matches_status`,
      `alter table command_outcomes add column revision bigint`,
      `alter table command_outcomes add constraint command_outcomes_revision_only_changes
        check (revision is null or (kind = 'account_change' and status = 'applied'
                                    and revision >= 2)) not valid`,
      `alter table command_outcomes validate constraint command_outcomes_revision_only_changes`,
      `alter table account_view add column revision bigint not null default 1`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, [
      `alter table account_view drop column revision`,
      `alter table command_outcomes drop column revision`,
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      outcomeCodesCheck(codesBefore),
      `alter table command_outcomes drop constraint command_outcomes_kind_known`,
      `alter table command_outcomes add constraint command_outcomes_kind_known
        check (kind in ('open_account', 'transfer')) not valid`,
      `drop table account_changes`,
      `alter table accounts drop constraint accounts_closed_empty`,
      `alter table accounts drop constraint accounts_revision_positive`,
      `alter table accounts drop column revision`,
    ]);
  },
};
