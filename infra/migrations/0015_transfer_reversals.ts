import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Reversals (POST /v1/transfers/{id}/reverse): a reversal is a transfer of its own that names the
 * transfer it takes money back from in `reversal_of`; the original row is never edited (transfers
 * is append-only). What is left to reverse is the original's amount minus its posted reversals,
 * summed through the partial index, which holds reversals only: an ordinary transfer's insert
 * pays nothing for it.
 *
 * The code lists gain the two reversal rejections (spelled out, as in 0003 and 0005). The checks
 * are added NOT VALID and validated afterwards: validating takes a lock that lets the processor
 * keep inserting while the existing rows are read.
 */
const transferCodes = `'same_account', 'account_not_found', 'account_closed', 'currency_mismatch',
  'insufficient_funds'`;
const reversalCodes = `'transfer_not_reversible', 'reversal_exceeds_transfer'`;
const outcomeCodes = `${transferCodes}, 'account_exists', 'idempotency_conflict'`;

export const transferReversalsMigration: Migration = {
  name: '0015_transfer_reversals',
  async up(knex: Knex) {
    await runStatements(knex, [
      `alter table transfers add column reversal_of text collate "C"`,
      `alter table transfers add constraint transfers_reversal_of_other
        check (reversal_of is null or reversal_of <> transfer_id) not valid`,
      `alter table transfers drop constraint transfers_code_matches_status`,
      `alter table transfers add constraint transfers_code_matches_status check (
        (status = 'posted' and code is null) or
        (status = 'rejected' and code in (${transferCodes}, ${reversalCodes}))
      ) not valid`,
      `alter table transfers validate constraint transfers_reversal_of_other`,
      `alter table transfers validate constraint transfers_code_matches_status`,
      `create index transfers_reversal_of on transfers (reversal_of) where reversal_of is not null`,
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      `alter table command_outcomes add constraint command_outcomes_code_matches_status check (
        (status = 'applied' and code is null) or
        (status = 'rejected' and code in (${outcomeCodes}, ${reversalCodes}))
      ) not valid`,
      `alter table command_outcomes validate constraint command_outcomes_code_matches_status`,
      // The read model shows the link; it is a projection of the same column.
      `alter table transfer_view add column reversal_of text collate "C"`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, [
      `alter table transfer_view drop column reversal_of`,
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      `alter table command_outcomes add constraint command_outcomes_code_matches_status check (
        (status = 'applied' and code is null) or (status = 'rejected' and code in (${outcomeCodes}))
      )`,
      `drop index transfers_reversal_of`,
      `alter table transfers drop constraint transfers_code_matches_status`,
      `alter table transfers add constraint transfers_code_matches_status check (
        (status = 'posted' and code is null) or (status = 'rejected' and code in (${transferCodes}))
      )`,
      `alter table transfers drop constraint transfers_reversal_of_other`,
      `alter table transfers drop column reversal_of`,
    ]);
  },
};
