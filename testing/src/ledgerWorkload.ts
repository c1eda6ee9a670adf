import { randomUUID } from 'node:crypto';
import {
  requestHashOf,
  type AccountChange,
  type CommandPayload,
  type LedgerCommand,
  type LedgerSerde,
} from '@ledger/schemas';
import { createLedgerProducer } from '@ledger/runtime';
import type { Kafka, Message, Producer } from 'kafkajs';
import { lifecycleViolations } from './lifecycleViolations.ts';
import type pg from 'pg';

/**
 * Builds wire commands as the command API would, with a correct requestHash. The default
 * idempotency key is the command API's: the accountId of an opening, the transferId of a transfer
 * or settlement, the commandId of an account change sent without an Idempotency-Key.
 */
export function command(payload: CommandPayload, idempotencyKey?: string): LedgerCommand {
  const commandId = randomUUID();
  return {
    commandId,
    idempotencyKey: idempotencyKey ?? defaultIdempotencyKey(payload, commandId),
    requestHash: requestHashOf(payload),
    receivedAt: Date.now(),
    traceparent: null,
    payload,
  };
}

function defaultIdempotencyKey(payload: CommandPayload, commandId: string): string {
  switch (payload.type) {
    case 'OpenAccount':
      return payload.accountId;
    case 'ChangeAccount':
      return commandId;
    case 'Transfer':
    case 'SettlePending':
      return payload.transferId;
  }
}

export const openAccount = (accountId: string, overdraftLimit = 0n): CommandPayload => ({
  type: 'OpenAccount',
  accountId,
  currency: 'USD',
  overdraftLimit,
  metadata: {},
});

export const transfer = (
  transferId: string,
  fromAccountId: string,
  toAccountId: string,
  amount: bigint,
  reversalOf?: string,
): CommandPayload => ({
  type: 'Transfer',
  transferId,
  fromAccountId,
  toAccountId,
  amount,
  currency: 'USD',
  metadata: {},
  ...(reversalOf === undefined ? {} : { reversalOf }),
});

/** A pending transfer (a hold), expiring `timeoutSeconds` after its decision if given. */
export const pendingTransfer = (
  transferId: string,
  fromAccountId: string,
  toAccountId: string,
  amount: bigint,
  timeoutSeconds?: number,
): CommandPayload => ({
  type: 'Transfer',
  transferId,
  fromAccountId,
  toAccountId,
  amount,
  currency: 'USD',
  metadata: {},
  pending: timeoutSeconds === undefined ? {} : { timeoutSeconds },
});

/** A post (`amount` absent: all of it) or void of a pending transfer, as the command API builds it. */
export const settlement = (
  transferId: string,
  fromAccountId: string,
  toAccountId: string,
  action: 'post' | 'void',
  amount?: bigint,
): CommandPayload => ({
  type: 'SettlePending',
  transferId,
  fromAccountId,
  toAccountId,
  action,
  ...(amount === undefined ? {} : { amount }),
});

/** A change of an account's status or metadata (freeze, unfreeze, close, update_metadata). */
export const accountChange = (
  accountId: string,
  change: AccountChange,
  options: { metadata?: Readonly<Record<string, string>>; expectedRevision?: number } = {},
): CommandPayload => ({ type: 'ChangeAccount', accountId, change, ...options });

/** The Kafka key: the account whose state decides the command (docs/contract.md). */
export function commandKey(command: LedgerCommand): string {
  const { payload } = command;
  return payload.type === 'OpenAccount' || payload.type === 'ChangeAccount'
    ? payload.accountId
    : payload.fromAccountId;
}

export function toMessage(serde: LedgerSerde, command: LedgerCommand): Message {
  return { key: commandKey(command), value: serde.encodeCommand(command) };
}

export async function createTestProducer(kafka: Kafka): Promise<Producer> {
  const producer = createLedgerProducer(kafka);
  await producer.connect();
  return producer;
}

/** Produces with acks=all: a command counts as accepted once this resolves, as in the API. */
export async function produceCommands(
  producer: Producer,
  serde: LedgerSerde,
  topic: string,
  commands: readonly LedgerCommand[],
): Promise<void> {
  if (commands.length === 0) return;
  await producer.send({ topic, acks: -1, messages: commands.map((c) => toMessage(serde, c)) });
}

export async function decidedCount(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>('select count(*) as n from command_outcomes');
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Invariants 1-4 (docs/architecture.md) over the committed ledger, the reversal rule (none past
 * its original's amount, each along its original reversed), holds' and the account lifecycle's
 * rules; returns the violations found.
 */
export async function ledgerViolations(pool: pg.Pool): Promise<string[]> {
  const violations: string[] = [];
  const one = async (sql: string): Promise<string> => {
    const result = await pool.query<{ v: string | null }>(sql);
    return result.rows[0]?.v ?? '0';
  };
  const postingsSum = await one('select coalesce(sum(amount), 0)::text as v from postings');
  if (postingsSum !== '0') violations.push(`postings sum to ${postingsSum}, not 0`);
  const balancesSum = await one('select coalesce(sum(balance), 0)::text as v from accounts');
  if (balancesSum !== '0')
    violations.push(`balances sum to ${balancesSum}, not 0 (all funding is internal)`);
  const overdrawn = await one(
    'select count(*)::text as v from accounts where balance < -overdraft_limit',
  );
  if (overdrawn !== '0') violations.push(`${overdrawn} accounts below -overdraftLimit`);
  const gaps = await one(`
    select count(*)::text as v from accounts a
     where a.version - 1 <> (select count(*) from postings p where p.account_id = a.id)
        or exists (select 1 from postings p where p.account_id = a.id and (p.version < 2 or p.version > a.version))`);
  if (gaps !== '0') violations.push(`${gaps} accounts whose versions are not gapless 1..n`);
  const balanceMismatch = await one(`
    select count(*)::text as v from accounts a
     where a.balance <> coalesce((select sum(p.amount) from postings p where p.account_id = a.id), 0)
        or a.balance <> coalesce((select p.balance_after from postings p where p.account_id = a.id
                                   order by p.version desc limit 1), 0)`);
  if (balanceMismatch !== '0')
    violations.push(`${balanceMismatch} accounts whose balance ≠ their postings`);
  const overReversed = await one(`
    select count(*)::text as v
      from (select reversal_of, sum(amount) as reversed from transfers
             where reversal_of is not null and status = 'posted' group by reversal_of) r
      left join transfers o on o.transfer_id = r.reversal_of
     where o.status is distinct from 'posted' or r.reversed > o.amount`);
  if (overReversed !== '0')
    violations.push(`${overReversed} transfers reversed past their amount, or not posted`);
  const offPath = await one(`
    select count(*)::text as v from transfers r join transfers o on o.transfer_id = r.reversal_of
     where r.status = 'posted'
       and (r.from_account_id <> o.to_account_id or r.to_account_id <> o.from_account_id
            or r.currency <> o.currency)`);
  if (offPath !== '0') violations.push(`${offPath} reversals not along their original reversed`);
  violations.push(...(await holdViolations(one)));
  violations.push(...(await lifecycleViolations(one)));
  return violations;
}

/**
 * Pending transfers: what an account holds is exactly its unsettled pending transfers' amounts
 * and its held chain; what it may spend stays within its overdraft; a settlement moves at most
 * the pending amount, and an expiry only after the deadline. (Settled at most once is
 * pending_settlements' primary key; the lines of each are the commit-time check of 0017.)
 */
async function holdViolations(one: (sql: string) => Promise<string>): Promise<string[]> {
  const violations: string[] = [];
  const heldMismatch = await one(`
    select count(*)::text as v from accounts a
     where a.held <> coalesce((select sum(t.amount) from transfers t
                                where t.from_account_id = a.id and t.status = 'pending'
                                  and not exists (select 1 from pending_settlements s
                                                   where s.transfer_id = t.transfer_id)), 0)
        or a.held <> coalesce((select sum(p.held_change) from postings p where p.account_id = a.id), 0)
        or a.held <> coalesce((select p.held_after from postings p where p.account_id = a.id
                                order by p.version desc limit 1), 0)`);
  if (heldMismatch !== '0')
    violations.push(`${heldMismatch} accounts whose held amount ≠ their open pending transfers`);
  const overspent = await one(
    'select count(*)::text as v from accounts where balance - held < -overdraft_limit',
  );
  if (overspent !== '0')
    violations.push(`${overspent} accounts with available below -overdraftLimit`);
  const badSettlements = await one(`
    select count(*)::text as v from pending_settlements s join transfers t using (transfer_id)
     where t.status <> 'pending'
        or (s.action = 'post' and s.amount > t.amount)
        or (s.action <> 'post' and s.amount <> t.amount)
        or (s.action = 'expire' and (t.expires_at is null or s.decided_at < t.expires_at))`);
  if (badSettlements !== '0')
    violations.push(`${badSettlements} settlements past their pending amount or deadline`);
  const staleExpiries = await one(`
    select count(*)::text as v from pending_expiries e
     where exists (select 1 from pending_settlements s where s.transfer_id = e.transfer_id)`);
  if (staleExpiries !== '0')
    violations.push(`${staleExpiries} settled transfers still due to expire`);
  return violations;
}
