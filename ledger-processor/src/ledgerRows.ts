import type {
  AccountChangeRecord,
  AccountState,
  CommandOutcome,
  OutcomeCode,
  SettlementRecord,
  TransferRecord,
} from './domain/index.ts';

/**
 * Row ↔ domain mapping for the processor's tables (infra/migrations). int8 and numeric arrive as
 * strings (runtime/postgresPool.ts) and become bigint here, never a JS number.
 */
export interface AccountRow {
  id: string;
  currency: string;
  overdraft_limit: string;
  status: AccountState['status'];
  balance: string;
  held: string;
  version: string;
  revision: string;
  metadata: Record<string, string>;
  created_at: Date;
  opened_by_command_id: string;
  open_request_hash: string;
}

export function accountFromRow(row: AccountRow): AccountState {
  return {
    accountId: row.id,
    currency: row.currency,
    overdraftLimit: BigInt(row.overdraft_limit),
    status: row.status,
    balance: BigInt(row.balance),
    held: BigInt(row.held),
    version: safeNumber(row.version, 'accounts.version'),
    revision: safeNumber(row.revision, 'accounts.revision'),
    metadata: row.metadata,
    createdAtMs: row.created_at.getTime(),
    openedByCommandId: row.opened_by_command_id,
    openRequestHash: row.open_request_hash,
  };
}

export interface OutcomeRow {
  command_id: string;
  kind: CommandOutcome['kind'];
  subject_id: string;
  status: CommandOutcome['status'];
  code: string | null;
  versions: Record<string, number>;
  balances: Record<string, string>;
  replay_of: string | null;
  decided_at: Date;
  /** An applied account change's; a string read directly, a number through to_jsonb. */
  revision: string | number | null;
}

export function outcomeFromRow(row: OutcomeRow): CommandOutcome {
  return {
    commandId: row.command_id,
    kind: row.kind,
    subjectId: row.subject_id,
    status: row.status,
    code: (row.code ?? undefined) as OutcomeCode | undefined,
    versions: row.versions,
    balances: Object.fromEntries(
      Object.entries(row.balances).map(([accountId, balance]) => [accountId, BigInt(balance)]),
    ),
    replayOf: row.replay_of ?? undefined,
    decidedAtMs: row.decided_at.getTime(),
    ...(row.revision === null
      ? {}
      : { revision: safeNumber(String(row.revision), 'command_outcomes.revision') }),
  };
}

export interface TransferRow {
  transfer_id: string;
  idempotency_key: string;
  request_hash: string;
  command_id: string;
  from_account_id: string;
  to_account_id: string;
  amount: string;
  currency: string;
  metadata: Record<string, string>;
  status: TransferRecord['status'];
  code: string | null;
  decided_at: Date;
  reversal_of: string | null;
  expires_at: Date | string | null;
}

export function transferFromRow(row: TransferRow): TransferRecord {
  return {
    transferId: row.transfer_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    commandId: row.command_id,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    amount: BigInt(row.amount),
    currency: row.currency.trim(),
    metadata: row.metadata,
    status: row.status,
    code: (row.code ?? undefined) as TransferRecord['code'],
    decidedAtMs: row.decided_at.getTime(),
    ...(row.reversal_of === null ? {} : { reversalOf: row.reversal_of }),
    ...(row.expires_at === null ? {} : { expiresAtMs: new Date(row.expires_at).getTime() }),
  };
}

export interface SettlementRow {
  transfer_id: string;
  action: SettlementRecord['action'];
  amount: string;
  command_id: string;
  request_hash: string;
  decided_at: Date;
}

export function settlementFromRow(row: SettlementRow): SettlementRecord {
  return {
    transferId: row.transfer_id,
    action: row.action,
    amount: BigInt(row.amount),
    commandId: row.command_id,
    requestHash: row.request_hash,
    decidedAtMs: row.decided_at.getTime(),
  };
}

export interface AccountChangeRow {
  account_id: string;
  revision: string;
  version: string;
  command_id: string;
  idempotency_key: string;
  request_hash: string;
  change: AccountChangeRecord['change'];
  status: AccountChangeRecord['status'];
  metadata: Record<string, string>;
  changed_at: Date;
}

export function accountChangeFromRow(row: AccountChangeRow): AccountChangeRecord {
  return {
    accountId: row.account_id,
    revision: safeNumber(row.revision, 'account_changes.revision'),
    version: safeNumber(row.version, 'account_changes.version'),
    commandId: row.command_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    change: row.change,
    status: row.status,
    metadata: row.metadata,
    changedAtMs: row.changed_at.getTime(),
  };
}

/** Balances as decimal strings for JSON columns and notices (a JSON number loses precision). */
export function balancesToJson(balances: Readonly<Record<string, bigint>>): Record<string, string> {
  return Object.fromEntries(Object.entries(balances).map(([id, value]) => [id, value.toString()]));
}

function safeNumber(value: string, what: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${what} ${value} is not a safe integer`);
  return parsed;
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
