import type { Knex } from 'knex';
import type { Migration } from './migration.ts';
import { runStatements } from './sql.ts';

/**
 * Pending transfers (holds, two-phase): `POST /v1/transfers` with `"pending": true` reserves the
 * amount on the paying account, `…/post` or `…/void` settles it, an expired one voids itself.
 *
 * - `accounts.held`: what its pending transfers hold. What the account may spend is its available
 *   balance, `balance − held`, which never goes below `−overdraft_limit` (a CHECK, like the
 *   balance's own; named to sort after it, as Postgres checks in name order, so a balance below
 *   the limit is still reported by 0001's constraint).
 * - `transfers`: a pending transfer is a row with status `pending` (and `expires_at` if it has a
 *   timeout). The table stays append-only: the row is never edited when it is settled.
 * - `pending_settlements`: one row per settled pending transfer, its primary key, so Postgres
 *   itself refuses a second settlement; append-only.
 * - `pending_expiries`: the pending transfers with a timeout that are not settled yet, by
 *   deadline: the processor's expiry sweep reads its head. A working set (rows are deleted on
 *   settlement), so the sweep never walks settled history.
 * - `postings`: every entry on an account is a line with its version. `kind` says what it did:
 *   `posted` moves money (amount ≠ 0), `pending` holds (amount 0, `held_change` = +amount),
 *   `voided`/`expired` release (amount 0, `held_change` = −amount); a posted hold's debit line
 *   also releases the whole pending amount. `held_after` is the account's held amount after it.
 *   The commit-time check of 0004 is extended to pending transfers: one hold line, then nothing,
 *   one release, or a posted debit/credit pair of at most the pending amount summing to zero —
 *   and a settlement row exactly when it was settled.
 * - Read models: `account_view.held`, `account_history.kind`/`held_after`, and `transfer_view`
 *   statuses `pending`, `voided`, `expired` with the pending amount and deadline.
 *
 * Every new column has a constant default, so adding it rewrites no table (Postgres 11+).
 * Checks on existing tables are added NOT VALID and validated afterwards (as in 0015).
 */
const transferCodes = `'same_account', 'account_not_found', 'account_closed', 'currency_mismatch',
  'insufficient_funds', 'transfer_not_reversible', 'reversal_exceeds_transfer'`;
const settlementCodes = `'transfer_not_pending', 'pending_not_expired', 'pending_expired',
  'post_exceeds_pending'`;
const outcomeCodes = `${transferCodes}, 'account_exists', 'idempotency_conflict'`;

export const pendingTransfersMigration: Migration = {
  name: '0017_pending_transfers',
  async up(knex: Knex) {
    await runStatements(knex, [
      // accounts
      `alter table accounts add column held numeric(38, 0) not null default 0`,
      `alter table accounts add constraint accounts_held_not_negative check (held >= 0) not valid`,
      `alter table accounts add constraint accounts_unheld_within_overdraft
        check (balance - held >= -overdraft_limit) not valid`,
      `alter table accounts validate constraint accounts_held_not_negative`,
      `alter table accounts validate constraint accounts_unheld_within_overdraft`,
      // transfers
      `alter table transfers add column expires_at timestamptz`,
      `alter table transfers drop constraint transfers_status_known`,
      `alter table transfers add constraint transfers_status_known
        check (status in ('posted', 'pending', 'rejected')) not valid`,
      `alter table transfers drop constraint transfers_code_matches_status`,
      `alter table transfers add constraint transfers_code_matches_status check (
        (status in ('posted', 'pending') and code is null) or
        (status = 'rejected' and code in (${transferCodes}))
      ) not valid`,
      `alter table transfers drop constraint transfers_posted_between_two_accounts`,
      `alter table transfers add constraint transfers_posted_between_two_accounts
        check (status = 'rejected' or from_account_id <> to_account_id) not valid`,
      `alter table transfers add constraint transfers_expiry_only_pending
        check (expires_at is null or status = 'pending') not valid`,
      `alter table transfers add constraint transfers_pending_not_reversal
        check (status <> 'pending' or reversal_of is null) not valid`,
      `alter table transfers validate constraint transfers_status_known`,
      `alter table transfers validate constraint transfers_code_matches_status`,
      `alter table transfers validate constraint transfers_posted_between_two_accounts`,
      `alter table transfers validate constraint transfers_expiry_only_pending`,
      `alter table transfers validate constraint transfers_pending_not_reversal`,
      // command outcomes
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      `alter table command_outcomes add constraint command_outcomes_code_matches_status check (
        (status = 'applied' and code is null) or
        (status = 'rejected' and code in (${outcomeCodes}, ${settlementCodes}))
      ) not valid`,
      `alter table command_outcomes validate constraint command_outcomes_code_matches_status`,
      // settlements and the expiry working set
      `create table pending_settlements (
        transfer_id text collate "C" not null references transfers (transfer_id),
        action text not null,
        amount bigint not null,
        command_id text not null,
        request_hash text not null,
        decided_at timestamptz not null,
        constraint pending_settlements_pkey primary key (transfer_id),
        constraint pending_settlements_action_known check (action in ('post', 'void', 'expire')),
        constraint pending_settlements_amount_positive check (amount > 0)
      )`,
      `create trigger pending_settlements_append_only
        before update or delete or truncate on pending_settlements
        for each statement execute function forbid_ledger_rewrite()`,
      `create table pending_expiries (
        transfer_id text collate "C" not null references transfers (transfer_id),
        expires_at timestamptz not null,
        from_account_id text collate "C" not null,
        to_account_id text collate "C" not null,
        constraint pending_expiries_pkey primary key (transfer_id)
      )`,
      `create index pending_expiries_by_deadline on pending_expiries (expires_at, transfer_id)`,
      // postings
      `alter table postings add column kind text not null default 'posted'`,
      `alter table postings add column held_change bigint not null default 0`,
      `alter table postings add column held_after numeric(38, 0) not null default 0`,
      `alter table postings add constraint postings_kind_known
        check (kind in ('posted', 'pending', 'voided', 'expired')) not valid`,
      `alter table postings add constraint postings_held_after_not_negative
        check (held_after >= 0) not valid`,
      `alter table postings drop constraint postings_amount_not_zero`,
      `alter table postings add constraint postings_amount_not_zero
        check (amount <> 0 or kind <> 'posted') not valid`,
      `alter table postings validate constraint postings_kind_known`,
      `alter table postings validate constraint postings_held_after_not_negative`,
      `alter table postings validate constraint postings_amount_not_zero`,
      checkPostingsFunction(pendingAwareCheck),
      // read models
      `alter table account_view add column held numeric(38, 0) not null default 0`,
      `alter table account_history add column kind text not null default 'posted'`,
      `alter table account_history add column held_after numeric(38, 0) not null default 0`,
      `alter table account_history add constraint account_history_kind_known
        check (kind in ('posted', 'pending', 'voided', 'expired')) not valid`,
      `alter table account_history validate constraint account_history_kind_known`,
      `alter table transfer_view add column pending_amount bigint`,
      `alter table transfer_view add column expires_at timestamptz`,
      `alter table transfer_view drop constraint transfer_view_status_known`,
      `alter table transfer_view add constraint transfer_view_status_known
        check (status in ('posted', 'rejected', 'pending', 'voided', 'expired')) not valid`,
      `alter table transfer_view drop constraint transfer_view_code_matches_status`,
      `alter table transfer_view add constraint transfer_view_code_matches_status check (
        (status = 'posted' and code is null and posted_at is not null) or
        (status = 'rejected' and code is not null and posted_at is null) or
        (status in ('pending', 'voided', 'expired') and code is null and posted_at is null)
      ) not valid`,
      `alter table transfer_view validate constraint transfer_view_status_known`,
      `alter table transfer_view validate constraint transfer_view_code_matches_status`,
    ]);
  },
  async down(knex: Knex) {
    await runStatements(knex, [
      `alter table transfer_view drop constraint transfer_view_code_matches_status`,
      `alter table transfer_view drop constraint transfer_view_status_known`,
      `delete from transfer_view where status in ('pending', 'voided', 'expired')`,
      `alter table transfer_view add constraint transfer_view_status_known
        check (status in ('posted', 'rejected'))`,
      `alter table transfer_view add constraint transfer_view_code_matches_status check (
        (status = 'posted' and code is null and posted_at is not null) or
        (status = 'rejected' and code is not null and posted_at is null)
      )`,
      `alter table transfer_view drop column expires_at`,
      `alter table transfer_view drop column pending_amount`,
      `alter table account_history drop column held_after`,
      `alter table account_history drop column kind`,
      `alter table account_view drop column held`,
      checkPostingsFunction(postedOnlyCheck),
      `alter table postings drop constraint postings_amount_not_zero`,
      `alter table postings add constraint postings_amount_not_zero check (amount <> 0) not valid`,
      `alter table postings drop column held_after`,
      `alter table postings drop column held_change`,
      `alter table postings drop column kind`,
      `drop table pending_expiries`,
      `drop table pending_settlements`,
      `alter table command_outcomes drop constraint command_outcomes_code_matches_status`,
      `alter table command_outcomes add constraint command_outcomes_code_matches_status check (
        (status = 'applied' and code is null) or (status = 'rejected' and code in (${outcomeCodes}))
      ) not valid`,
      `alter table transfers drop constraint transfers_pending_not_reversal`,
      `alter table transfers drop constraint transfers_expiry_only_pending`,
      `alter table transfers drop constraint transfers_posted_between_two_accounts`,
      `alter table transfers add constraint transfers_posted_between_two_accounts
        check (status <> 'posted' or from_account_id <> to_account_id) not valid`,
      `alter table transfers drop constraint transfers_code_matches_status`,
      `alter table transfers add constraint transfers_code_matches_status check (
        (status = 'posted' and code is null) or (status = 'rejected' and code in (${transferCodes}))
      ) not valid`,
      `alter table transfers drop constraint transfers_status_known`,
      `alter table transfers add constraint transfers_status_known
        check (status in ('posted', 'rejected')) not valid`,
      `alter table transfers drop column expires_at`,
      `alter table accounts drop constraint accounts_unheld_within_overdraft`,
      `alter table accounts drop constraint accounts_held_not_negative`,
      `alter table accounts drop column held`,
    ]);
  },
};

/** 0004's rule: a transfer is posted, with exactly its debit and its credit line. */
const postedOnlyCheck = {
  counts: `count(*) filter (
                where account_id = transfer.from_account_id and amount = -transfer.amount
              ) as debits,
              count(*) filter (
                where account_id = transfer.to_account_id and amount = transfer.amount
              ) as credits,
              0::bigint as holds, 0::bigint as releases, 0::bigint as settled,
              0::bigint as settlements,`,
  valid: `transfer.status = 'posted' and legs.debits = 1 and legs.credits = 1 and legs.count = 2`,
};

/**
 * 0004's rule for posted transfers (and their lines move no held amount), and a pending
 * transfer's lines: its hold alone; the hold and one release; or the hold and a posted
 * debit/credit pair of at most its amount (the debit line releasing all of it) — the lines always
 * summing to zero, and a settlement row exactly when there is more than the hold.
 */
const pendingAwareCheck = {
  counts: `count(*) filter (
                where kind = 'posted' and held_change = 0
                  and account_id = transfer.from_account_id and amount = -transfer.amount
              ) as debits,
              count(*) filter (
                where kind = 'posted' and held_change = 0
                  and account_id = transfer.to_account_id and amount = transfer.amount
              ) as credits,
              count(*) filter (
                where kind = 'pending' and account_id = transfer.from_account_id
                  and amount = 0 and held_change = transfer.amount
              ) as holds,
              count(*) filter (
                where kind in ('voided', 'expired') and account_id = transfer.from_account_id
                  and amount = 0 and held_change = -transfer.amount
              ) as releases,
              count(*) filter (
                where kind = 'posted' and (
                  (account_id = transfer.from_account_id and held_change = -transfer.amount
                    and amount between -transfer.amount and -1) or
                  (account_id = transfer.to_account_id and held_change = 0
                    and amount between 1 and transfer.amount))
              ) as settled,
              (select count(*) from pending_settlements s
                where s.transfer_id = queued.transfer_id) as settlements,`,
  valid: `(transfer.status = 'posted' and legs.debits = 1 and legs.credits = 1 and legs.count = 2)
            or (transfer.status = 'pending' and legs.holds = 1 and legs.total = 0
                and legs.settlements = least(legs.count - 1, 1)
                and (legs.count = 1
                     or (legs.count = 2 and legs.releases = 1)
                     or (legs.count = 3 and legs.settled = 2)))`,
};

function checkPostingsFunction(rule: { counts: string; valid: string }): string {
  return `create or replace function check_postings_balance() returns trigger
      language plpgsql
      set search_path from current
      as $body$
      declare
        broken record;
      begin
        select queued.transfer_id, transfer.status, legs.count, legs.total
          into broken
          from unnest(new.transfer_ids) as queued (transfer_id)
          left join transfers transfer on transfer.transfer_id = queued.transfer_id
          cross join lateral (
            select
              ${rule.counts}
              count(*) as count,
              coalesce(sum(amount), 0) as total
            from postings where postings.transfer_id = queued.transfer_id
          ) legs
          where not coalesce(${rule.valid}, false)
          limit 1;
        delete from pending_posting_checks where id = new.id;
        if found and broken.transfer_id is not null then
          raise exception 'postings of transfer % do not balance: % lines summing to %, transfer %',
            broken.transfer_id, broken.count, broken.total, coalesce(broken.status, 'missing')
            using errcode = 'check_violation', constraint = 'postings_balance_per_transfer';
        end if;
        return null;
      end
      $body$`;
}
