import type pg from 'pg';
import type {
  CommandOutcome,
  JournalLine,
  SettlementRecord,
  TransferRecord,
} from './domain/index.ts';
import { balancesToJson, isoTime } from './ledgerRows.ts';

/**
 * The multi-row INSERTs of one batch's decision (ledgerStore.ts `writeDecision`): one statement
 * per table, arrays unnested server-side, none at all for a table the batch does not touch.
 */

export async function insertTransfers(
  client: pg.PoolClient,
  rows: readonly TransferRecord[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into transfers (transfer_id, idempotency_key, request_hash, command_id, from_account_id,
                            to_account_id, amount, currency, metadata, status, code, decided_at,
                            reversal_of, expires_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                          $7::bigint[], $8::text[], $9::jsonb[], $10::text[], $11::text[],
                          $12::timestamptz[], $13::text[], $14::timestamptz[])`,
    [
      rows.map((t) => t.transferId),
      rows.map((t) => t.idempotencyKey),
      rows.map((t) => t.requestHash),
      rows.map((t) => t.commandId),
      rows.map((t) => t.fromAccountId),
      rows.map((t) => t.toAccountId),
      rows.map((t) => t.amount.toString()),
      rows.map((t) => t.currency),
      rows.map((t) => JSON.stringify(t.metadata)),
      rows.map((t) => t.status),
      rows.map((t) => t.code ?? null),
      rows.map((t) => isoTime(t.decidedAtMs)),
      rows.map((t) => t.reversalOf ?? null),
      rows.map((t) => (t.expiresAtMs === undefined ? null : isoTime(t.expiresAtMs))),
    ],
  );
  // The expiry sweep's working set: pending transfers with a deadline (processor expirySweep.ts).
  const timed = rows.filter((t) => t.status === 'pending' && t.expiresAtMs !== undefined);
  if (timed.length === 0) return;
  await client.query(
    `insert into pending_expiries (transfer_id, expires_at, from_account_id, to_account_id)
     select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[])`,
    [
      timed.map((t) => t.transferId),
      timed.map((t) => isoTime(t.expiresAtMs ?? 0)),
      timed.map((t) => t.fromAccountId),
      timed.map((t) => t.toAccountId),
    ],
  );
}

/**
 * pending_settlements rows, and the settled transfers out of the expiry working set (after
 * `insertTransfers`, so a hold decided and settled in the same batch leaves it too).
 */
export async function insertSettlements(
  client: pg.PoolClient,
  rows: readonly SettlementRecord[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into pending_settlements (transfer_id, action, amount, command_id, request_hash,
                                      decided_at)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                          $6::timestamptz[])`,
    [
      rows.map((s) => s.transferId),
      rows.map((s) => s.action),
      rows.map((s) => s.amount.toString()),
      rows.map((s) => s.commandId),
      rows.map((s) => s.requestHash),
      rows.map((s) => isoTime(s.decidedAtMs)),
    ],
  );
  await client.query(
    `delete from pending_expiries e using unnest($1::text[]) as k (id) where e.transfer_id = k.id`,
    [rows.map((s) => s.transferId)],
  );
}

/**
 * Journal lines. A line that moves no held amount on an account that holds nothing (every line
 * of a ledger without pending transfers) goes in the statement 0004 wrote, its new columns left
 * to their defaults, so an ordinary batch pays nothing for holds; the others carry them.
 */
export async function insertJournal(
  client: pg.PoolClient,
  lines: readonly JournalLine[],
): Promise<void> {
  const plain = lines.filter(isPlainPosting);
  if (plain.length > 0) {
    await client.query(
      `insert into postings (account_id, version, transfer_id, amount, balance_after, posted_at)
       select * from unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::numeric[],
                            $6::timestamptz[])`,
      [
        plain.map((l) => l.accountId),
        plain.map((l) => l.version),
        plain.map((l) => l.transferId),
        plain.map((l) => l.amount.toString()),
        plain.map((l) => l.balanceAfter.toString()),
        plain.map((l) => isoTime(l.postedAtMs)),
      ],
    );
  }
  if (plain.length === lines.length) return;
  const held = lines.filter((line) => !isPlainPosting(line));
  await client.query(
    `insert into postings (account_id, version, transfer_id, amount, balance_after, posted_at,
                           kind, held_change, held_after)
     select * from unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::numeric[],
                          $6::timestamptz[], $7::text[], $8::bigint[], $9::numeric[])`,
    [
      held.map((l) => l.accountId),
      held.map((l) => l.version),
      held.map((l) => l.transferId),
      held.map((l) => l.amount.toString()),
      held.map((l) => l.balanceAfter.toString()),
      held.map((l) => isoTime(l.postedAtMs)),
      held.map((l) => l.kind),
      held.map((l) => l.heldChange.toString()),
      held.map((l) => l.heldAfter.toString()),
    ],
  );
}

function isPlainPosting(line: JournalLine): boolean {
  return line.kind === 'posted' && line.heldChange === 0n && line.heldAfter === 0n;
}

/**
 * command_outcomes rows. Those without a revision (every outcome but an applied account change
 * and its replays) go in the statement of before; the others carry `revision` too.
 */
export async function insertOutcomes(
  client: pg.PoolClient,
  rows: readonly CommandOutcome[],
): Promise<void> {
  const revised = rows.filter((o) => o.revision !== undefined);
  await insertPlainOutcomes(
    client,
    revised.length === 0 ? rows : rows.filter((o) => o.revision === undefined),
  );
  if (revised.length === 0) return;
  await client.query(
    `insert into command_outcomes (command_id, kind, subject_id, status, code, versions, balances,
                                   replay_of, decided_at, revision)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                          $7::jsonb[], $8::text[], $9::timestamptz[], $10::bigint[])`,
    [...outcomeColumns(revised), revised.map((o) => o.revision ?? null)],
  );
}

async function insertPlainOutcomes(
  client: pg.PoolClient,
  rows: readonly CommandOutcome[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into command_outcomes (command_id, kind, subject_id, status, code, versions, balances,
                                   replay_of, decided_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                          $7::jsonb[], $8::text[], $9::timestamptz[])`,
    outcomeColumns(rows),
  );
}

function outcomeColumns(rows: readonly CommandOutcome[]): unknown[][] {
  return [
    rows.map((o) => o.commandId),
    rows.map((o) => o.kind),
    rows.map((o) => o.subjectId),
    rows.map((o) => o.status),
    rows.map((o) => o.code ?? null),
    rows.map((o) => JSON.stringify(o.versions)),
    rows.map((o) => JSON.stringify(balancesToJson(o.balances))),
    rows.map((o) => o.replayOf ?? null),
    rows.map((o) => isoTime(o.decidedAtMs)),
  ];
}
