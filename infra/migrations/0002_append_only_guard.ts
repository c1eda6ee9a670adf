import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * The function behind the append-only triggers of transfers, postings and command_outcomes: a
 * decided fact is never changed or removed, so an UPDATE, DELETE or TRUNCATE of those tables is
 * a bug and fails. Statement-level triggers: no cost on INSERT, which is all the processor does.
 * (Retention of old rows, if ever wanted, is a partition drop by someone who owns that decision.)
 */
export const appendOnlyGuardMigration: Migration = {
  name: '0002_append_only_guard',
  async up(knex: Knex) {
    await runStatements(knex, [
      `create function forbid_ledger_rewrite() returns trigger
      language plpgsql as $body$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op
          using errcode = 'integrity_constraint_violation';
      end
      $body$`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, ['drop function forbid_ledger_rewrite()']);
  },
};
