import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * The naive design's whole write: one Postgres transaction per transfer, written as a careful
 * team would without Kafka: lock both accounts in id order (no deadlocks), decide under the
 * locks, idempotency by the unique key with a request hash (replay or conflict), prepared
 * statements, the transfer, its two postings and its outcome written in one statement, then
 * commit. Same tables and constraints as the ledger (its own migrated schema).
 */
export interface TransferRequest {
  readonly transferId: string;
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
}

export type TransferResult =
  | {
      readonly kind: 'applied';
      readonly replayed: boolean;
      readonly commandId: string;
      readonly versions: Record<string, number>;
      readonly balances: Record<string, string>;
    }
  | { readonly kind: 'rejected'; readonly replayed: boolean; readonly code: string }
  | { readonly kind: 'conflict' };

interface AccountRow {
  id: string;
  currency: string;
  overdraft_limit: string;
  status: string;
  balance: string;
  version: string;
}

const lockAccounts = {
  name: 'naive-lock-accounts',
  text: `select id, currency, overdraft_limit, status, balance::text as balance, version
           from accounts where id = any($1::text[]) order by id for update`,
};
const findByKey = {
  name: 'naive-find-key',
  text: `select request_hash, status, code from transfers where idempotency_key = $1`,
};
const applyBalances = {
  name: 'naive-apply-balances',
  text: `update accounts a set balance = a.balance + d.delta, version = a.version + 1
           from (values ($1::text, $2::numeric), ($3::text, $4::numeric)) as d (id, delta)
          where a.id = d.id
         returning a.id, a.balance::text as balance, a.version`,
};
const writePosted = {
  name: 'naive-write-posted',
  text: `with t as (
           insert into transfers (transfer_id, idempotency_key, request_hash, command_id,
             from_account_id, to_account_id, amount, currency, status, decided_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'posted', now())),
         p as (
           insert into postings (account_id, version, transfer_id, amount, balance_after, posted_at)
           values ($5, $9, $1, -$7::bigint, $10, now()), ($6, $11, $1, $7::bigint, $12, now()))
         insert into command_outcomes (command_id, kind, subject_id, status, versions, balances, decided_at)
         values ($4, 'transfer', $1, 'applied', $13, $14, now())`,
};
const writeRejected = {
  name: 'naive-write-rejected',
  text: `with t as (
           insert into transfers (transfer_id, idempotency_key, request_hash, command_id,
             from_account_id, to_account_id, amount, currency, status, code, decided_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'rejected', $9, now()))
         insert into command_outcomes (command_id, kind, subject_id, status, code, decided_at)
         values ($4, 'transfer', $1, 'rejected', $9, now())`,
};

export function requestHash(request: TransferRequest): string {
  return createHash('sha256')
    .update(
      [
        request.transferId,
        request.fromAccountId,
        request.toAccountId,
        request.amount,
        request.currency,
      ].join('\n'),
    )
    .digest('hex');
}

export async function executeTransfer(
  pool: pg.Pool,
  request: TransferRequest,
): Promise<TransferResult> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await decideAndWrite(client, request);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    // Two first requests with one key raced past the lookup: the loser replays the winner's.
    if ((error as { code?: string }).code === '23505') return replayAfterRace(pool, request);
    throw error;
  } finally {
    client.release();
  }
}

async function decideAndWrite(
  client: pg.PoolClient,
  request: TransferRequest,
): Promise<TransferResult> {
  const hash = requestHash(request);
  const ids = [request.fromAccountId, request.toAccountId];
  const locked = await client.query<AccountRow>({ ...lockAccounts, values: [ids] });
  const existing = await client.query<{
    request_hash: string;
    status: string;
    code: string | null;
  }>({
    ...findByKey,
    values: [request.idempotencyKey],
  });
  const previous = existing.rows[0];
  if (previous !== undefined) return replayOf(previous, hash, locked.rows);

  const commandId = randomUUID();
  const from = locked.rows.find((row) => row.id === request.fromAccountId);
  const to = locked.rows.find((row) => row.id === request.toAccountId);
  const code = rejectionCode(request, from, to);
  const common = [
    request.transferId,
    request.idempotencyKey,
    hash,
    commandId,
    request.fromAccountId,
    request.toAccountId,
    request.amount.toString(),
    request.currency,
  ];
  if (code !== undefined) {
    await client.query({ ...writeRejected, values: [...common, code] });
    return { kind: 'rejected', replayed: false, code };
  }
  const amount = request.amount.toString();
  const applied = await client.query<{ id: string; balance: string; version: string }>({
    ...applyBalances,
    values: [request.fromAccountId, `-${amount}`, request.toAccountId, amount],
  });
  const after = new Map(applied.rows.map((row) => [row.id, row]));
  const fromAfter = after.get(request.fromAccountId);
  const toAfter = after.get(request.toAccountId);
  if (fromAfter === undefined || toAfter === undefined) throw new Error('locked account vanished');
  const versions = {
    [fromAfter.id]: Number(fromAfter.version),
    [toAfter.id]: Number(toAfter.version),
  };
  const balances = { [fromAfter.id]: fromAfter.balance, [toAfter.id]: toAfter.balance };
  await client.query({
    ...writePosted,
    values: [
      ...common,
      fromAfter.version,
      fromAfter.balance,
      toAfter.version,
      toAfter.balance,
      JSON.stringify(versions),
      JSON.stringify(balances),
    ],
  });
  return { kind: 'applied', replayed: false, commandId, versions, balances };
}

function rejectionCode(
  request: TransferRequest,
  from: AccountRow | undefined,
  to: AccountRow | undefined,
): string | undefined {
  if (request.fromAccountId === request.toAccountId) return 'same_account';
  if (from === undefined || to === undefined) return 'account_not_found';
  if (from.status !== 'open' || to.status !== 'open') return 'account_closed';
  if (from.currency.trim() !== request.currency || to.currency.trim() !== request.currency) {
    return 'currency_mismatch';
  }
  if (BigInt(from.balance) - request.amount < -BigInt(from.overdraft_limit))
    return 'insufficient_funds';
  return undefined;
}

function replayOf(
  previous: { request_hash: string; status: string; code: string | null },
  hash: string,
  locked: readonly AccountRow[],
): TransferResult {
  if (previous.request_hash !== hash) return { kind: 'conflict' };
  if (previous.status === 'rejected')
    return { kind: 'rejected', replayed: true, code: previous.code ?? 'unknown' };
  // A replay answers with the accounts' current state, as the ledger's command API does.
  const versions = Object.fromEntries(locked.map((row) => [row.id, Number(row.version)]));
  const balances = Object.fromEntries(locked.map((row) => [row.id, row.balance]));
  return { kind: 'applied', replayed: true, commandId: 'replayed', versions, balances };
}

async function replayAfterRace(pool: pg.Pool, request: TransferRequest): Promise<TransferResult> {
  const existing = await pool.query<{ request_hash: string; status: string; code: string | null }>({
    ...findByKey,
    values: [request.idempotencyKey],
  });
  const previous = existing.rows[0];
  if (previous === undefined) throw new Error('unique violation without a first request');
  return replayOf(previous, requestHash(request), []);
}
