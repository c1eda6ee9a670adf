import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * One row per decided command id: what GET /v1/commands/{id} answers and what a client that
 * retries is told. Kept apart from transfers on purpose: it is keyed by the transport's id (one
 * row per Kafka command, OpenAccounts and refused requests included) while transfers is keyed by
 * the business ids a request may own; merged, a table would carry two identities and columns
 * that are null for most of its rows. A redelivered command id hits the primary key: the
 * processor recognises it from the snapshot and writes nothing.
 *
 * versions and balances are JSON objects keyed by account id; balances hold decimal strings,
 * because a JSON number would lose precision past 2^53 in every JavaScript reader.
 */
export const commandOutcomesMigration: Migration = {
  name: '0005_command_outcomes',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create table command_outcomes (
        command_id text collate "C" primary key,
        kind text not null,
        subject_id text not null,
        status text not null,
        code text,
        versions jsonb not null default '{}',
        balances jsonb not null default '{}',
        replay_of text,
        decided_at timestamptz not null,
        constraint command_outcomes_kind_known check (kind in ('open_account', 'transfer')),
        constraint command_outcomes_status_known check (status in ('applied', 'rejected')),
        constraint command_outcomes_code_matches_status check (
          (status = 'applied' and code is null) or
          (status = 'rejected' and code in (
            'same_account', 'account_not_found', 'account_closed', 'currency_mismatch',
            'insufficient_funds', 'account_exists', 'idempotency_conflict'))
        ),
        constraint command_outcomes_replay_of_other check (replay_of is null or replay_of <> command_id),
        constraint command_outcomes_versions_is_object check (jsonb_typeof(versions) = 'object'),
        constraint command_outcomes_balances_is_object check (jsonb_typeof(balances) = 'object')
      )`,
      `create trigger command_outcomes_append_only
        before update or delete or truncate on command_outcomes
        for each statement execute function forbid_ledger_rewrite()`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop table command_outcomes']);
  },
};
