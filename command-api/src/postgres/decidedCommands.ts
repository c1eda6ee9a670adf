import type pg from 'pg';
import type { AcceptRecord, CommandOutcome, LedgerDecision } from '../appDeps.ts';
import { toOutcome } from '../outcomeShape.ts';

/** One lookup covers at most a batch request's worth of keys. */
export const lookupKeysMax = 1_000;

/**
 * Read-only lookups in the processor's tables (infra/migrations 0001 accounts, 0003 transfers,
 * 0005 command_outcomes; the processor is their only writer): what the ledger already decided,
 * for when Redis is down or its short-lived keys expired. Table and column names live here and
 * nowhere else in this service.
 */
export interface DecidedCommands {
  /** Decided transfers by idempotency key → the command that holds the key. */
  transfersByKey(keys: readonly string[]): Promise<ReadonlyMap<string, AcceptRecord>>;
  /** Opened accounts by id → the OpenAccount command that opened it. */
  accountsById(accountIds: readonly string[]): Promise<ReadonlyMap<string, AcceptRecord>>;
  /** Stored outcomes by command id. */
  outcomes(commandIds: readonly string[]): Promise<ReadonlyMap<string, CommandOutcome>>;
  /** Stored outcomes by command id, with the subject and the command each one replays. */
  decisions(commandIds: readonly string[]): Promise<ReadonlyMap<string, LedgerDecision>>;
}

const transfersByKeySql = `
  select idempotency_key, command_id, request_hash, transfer_id
    from transfers
   where idempotency_key = any($1::text[])`;

const accountsByIdSql = `
  select id, opened_by_command_id, open_request_hash
    from accounts
   where id = any($1::text[])`;

const outcomesSql = `
  select command_id, subject_id, replay_of, status, code, versions, balances, revision
    from command_outcomes
   where command_id = any($1::text[])`;

interface TransferRow {
  idempotency_key: string;
  command_id: string;
  request_hash: string;
  transfer_id: string;
}

interface AccountRow {
  id: string;
  opened_by_command_id: string;
  open_request_hash: string;
}

interface OutcomeRow {
  command_id: string;
  subject_id: string;
  replay_of: string | null;
  status: string;
  code: string | null;
  versions: unknown;
  balances: unknown;
  /** bigint: pg returns a decimal string (an account change's revision), else null. */
  revision: string | null;
}

export function createDecidedCommands(pool: Pick<pg.Pool, 'query'>): DecidedCommands {
  return {
    async transfersByKey(keys) {
      const found = new Map<string, AcceptRecord>();
      if (keys.length === 0) return found;
      checkBound(keys.length);
      const { rows } = await pool.query<TransferRow>(transfersByKeySql, [keys]);
      for (const row of rows) {
        found.set(row.idempotency_key, {
          commandId: row.command_id,
          requestHash: row.request_hash,
          subjectId: row.transfer_id,
        });
      }
      return found;
    },
    async accountsById(accountIds) {
      const found = new Map<string, AcceptRecord>();
      if (accountIds.length === 0) return found;
      checkBound(accountIds.length);
      const { rows } = await pool.query<AccountRow>(accountsByIdSql, [accountIds]);
      for (const row of rows) {
        found.set(row.id, {
          commandId: row.opened_by_command_id,
          requestHash: row.open_request_hash,
          subjectId: row.id,
        });
      }
      return found;
    },
    async outcomes(commandIds) {
      const found = new Map<string, CommandOutcome>();
      for (const [commandId, { outcome }] of await decisionsOf(commandIds))
        found.set(commandId, outcome);
      return found;
    },
    decisions: decisionsOf,
  };

  async function decisionsOf(
    commandIds: readonly string[],
  ): Promise<ReadonlyMap<string, LedgerDecision>> {
    const found = new Map<string, LedgerDecision>();
    if (commandIds.length === 0) return found;
    checkBound(commandIds.length);
    const { rows } = await pool.query<OutcomeRow>(outcomesSql, [commandIds]);
    for (const row of rows) {
      // Same shape checks as a pushed notice: jsonb balances are decimal strings.
      const outcome = toOutcome({
        commandId: row.command_id,
        status: row.status,
        code: row.code ?? undefined,
        versions: row.versions,
        balances: row.balances,
        revision: row.revision === null ? undefined : Number(row.revision),
      });
      if (outcome === undefined) continue;
      found.set(row.command_id, {
        outcome,
        subjectId: row.subject_id,
        replayOf: row.replay_of ?? undefined,
      });
    }
    return found;
  }
}

function checkBound(count: number): void {
  if (count > lookupKeysMax) throw new Error(`lookup of ${count} keys exceeds ${lookupKeysMax}`);
}
