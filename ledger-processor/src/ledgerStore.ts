import { assert } from '@ledger/runtime';
import type { BalanceChanged } from '@ledger/schemas';
import type pg from 'pg';
import type { BatchDecision, BatchSnapshot, SnapshotKeys } from './domain/index.ts';
import {
  insertAccountChanges,
  insertOpenedAccounts,
  updateChangedAccounts,
} from './accountWrites.ts';
import {
  insertJournal,
  insertOutcomes,
  insertSettlements,
  insertTransfers,
} from './ledgerInserts.ts';
import {
  accountChangeFromRow,
  accountFromRow,
  outcomeFromRow,
  settlementFromRow,
  transferFromRow,
  type AccountChangeRow,
  type AccountRow,
  type OutcomeRow,
  type SettlementRow,
  type TransferRow,
} from './ledgerRows.ts';

/** An event ready for the outbox: the exact Kafka message, encoded before the transaction. */
export interface OutboxMessage {
  readonly topic: string;
  readonly key: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer;
  /**
   * The balances the event leaves (balanceMessages.ts), while the batch is in memory: the relay
   * publishes them beside the event. A row read back from the outbox has none; the relay decodes
   * its payload instead.
   */
  readonly balances?: readonly BalanceChanged[];
}

/** An outbox message with the `ledger.commands` partition whose command produced it. */
export interface OutboxEntry extends OutboxMessage {
  readonly commandPartition: number;
}

export interface OutboxRow extends OutboxEntry {
  readonly id: string;
}

/**
 * Prefetch for one batch (docs/architecture.md "The write path"): the touched accounts, read and
 * locked in ascending id order so processors never deadlock, and the prior transfers/outcomes the
 * batch's idempotency keys and command ids may hit. Runs inside the batch's transaction, so nothing
 * read here can change before the write.
 *
 * Every lookup joins the unnested key array to the table, which plans as one index probe per
 * key whatever the table's size. The `= any($1)` form it replaces let the planner pick a
 * (parallel) sequential scan of `transfers` for 2000-key batches — ~100 ms per batch at 470k
 * transfers, growing with the ledger — found with log_min_duration_statement under the bench.
 */
export async function loadSnapshot(
  client: pg.PoolClient,
  keys: SnapshotKeys,
): Promise<BatchSnapshot> {
  const accounts = await client.query<AccountRow>(
    `select a.id, a.currency, a.overdraft_limit, a.status, a.balance, a.held, a.version,
            a.revision, a.metadata, a.created_at, a.opened_by_command_id, a.open_request_hash
       from unnest($1::text[]) as k (id) join accounts a on a.id = k.id
      order by a.id for update of a`,
    [keys.accountIds],
  );
  const byKey = await priorTransfersBy(client, 'idempotency_key', keys.idempotencyKeys);
  const byId = await priorTransfersBy(client, 'transfer_id', keys.transferIds);
  const seen = new Set(byKey.map((row) => row.transfer_id));
  const transfers = [...byKey, ...byId.filter((row) => !seen.has(row.transfer_id))];
  const outcomes = await client.query<OutcomeRow>(
    `select o.* from unnest($1::text[]) as k (id) join command_outcomes o on o.command_id = k.id`,
    [keys.commandIds],
  );
  // Reversals only: an ordinary batch names no reversed transfer and skips the query.
  const reversed =
    keys.reversalsOf.length === 0
      ? { rows: [] }
      : await client.query<{ transfer_id: string; reversed: string }>(
          `select t.reversal_of as transfer_id, sum(t.amount)::text as reversed
             from unnest($1::text[]) as k (id) join transfers t on t.reversal_of = k.id
            where t.status = 'posted'
            group by t.reversal_of`,
          [keys.reversalsOf],
        );
  // Settlements only: an ordinary batch names no pending transfer and skips the query.
  const settlements =
    keys.settlementsOf.length === 0
      ? { rows: [] }
      : await client.query<SettlementRow & { outcome: OutcomeRow }>(
          `select s.*, to_jsonb(o) as outcome
             from unnest($1::text[]) as k (id)
             join pending_settlements s on s.transfer_id = k.id
             join command_outcomes o on o.command_id = s.command_id`,
          [keys.settlementsOf],
        );
  // Account changes only: an ordinary batch changes no account and skips the query.
  const changes =
    keys.accountChangeKeys.length === 0
      ? { rows: [] }
      : await client.query<AccountChangeRow & { outcome: OutcomeRow }>(
          `select c.*, to_jsonb(o) as outcome
             from unnest($1::text[], $2::text[]) as k (account_id, idempotency_key)
             join account_changes c
               on c.account_id = k.account_id and c.idempotency_key = k.idempotency_key
             join command_outcomes o on o.command_id = c.command_id`,
          [
            keys.accountChangeKeys.map((key) => key.accountId),
            keys.accountChangeKeys.map((key) => key.idempotencyKey),
          ],
        );
  return {
    keys,
    accounts: accounts.rows.map(accountFromRow),
    priorTransfers: transfers.map((row) => ({
      record: transferFromRow(row),
      outcome: outcomeFromRow({ ...row.outcome, decided_at: new Date(row.outcome.decided_at) }),
    })),
    priorOutcomes: outcomes.rows.map(outcomeFromRow),
    reversedAmounts: reversed.rows.map((row) => ({
      transferId: row.transfer_id,
      reversed: BigInt(row.reversed),
    })),
    settlements: settlements.rows.map((row) => ({
      record: settlementFromRow(row),
      outcome: outcomeFromRow({ ...row.outcome, decided_at: new Date(row.outcome.decided_at) }),
    })),
    accountChanges: changes.rows.map((row) => ({
      record: accountChangeFromRow(row),
      outcome: outcomeFromRow({ ...row.outcome, decided_at: new Date(row.outcome.decided_at) }),
    })),
  };
}

async function priorTransfersBy(
  client: pg.PoolClient,
  column: 'idempotency_key' | 'transfer_id',
  values: readonly string[],
): Promise<(TransferRow & { outcome: OutcomeRow })[]> {
  if (values.length === 0) return [];
  const result = await client.query<TransferRow & { outcome: OutcomeRow }>(
    `select t.*, to_jsonb(o) as outcome
       from unnest($1::text[]) as k (value)
       join transfers t on t.${column} = k.value
       join command_outcomes o on o.command_id = t.command_id`,
    [values],
  );
  return result.rows;
}

/**
 * Writes one batch's decision with one multi-row statement per table (arrays unnested
 * server-side; accountWrites.ts and ledgerInserts.ts), returning the outbox rows with their ids
 * for the relay. Asserts that every account update matched its expected version and revision: a
 * miss means the snapshot was not read under the lock, and the transaction must not commit.
 */
export async function writeDecision(
  client: pg.PoolClient,
  decision: BatchDecision,
  outbox: readonly OutboxEntry[],
): Promise<OutboxRow[]> {
  await insertOpenedAccounts(client, decision.accountsOpened);
  await updateChangedAccounts(client, decision.accountsChanged);
  await insertAccountChanges(client, decision.accountChanges);
  await insertTransfers(client, decision.transfers);
  await insertSettlements(client, decision.settlements);
  await insertJournal(client, decision.journal);
  await insertOutcomes(client, decision.outcomes);
  if (outbox.length === 0) return [];
  const inserted = await client.query<{ id: string }>(
    `insert into outbox (command_partition, topic, partition_key, event_id, event_type, headers, payload)
     select * from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                          $7::bytea[])
     returning id`,
    [
      outbox.map((m) => m.commandPartition),
      outbox.map((m) => m.topic),
      outbox.map((m) => m.key),
      outbox.map((m) => m.eventId),
      outbox.map((m) => m.eventType),
      outbox.map((m) => JSON.stringify(m.headers)),
      outbox.map((m) => m.value),
    ],
  );
  assert(inserted.rows.length === outbox.length, 'outbox insert returned a different row count');
  // unnest preserves order and a bigserial assigns ids in insertion order within the statement.
  const ids = inserted.rows.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return outbox.map((message, index) => ({ ...message, id: ids[index] ?? '' }));
}
