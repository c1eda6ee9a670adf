import { createHash } from 'node:crypto';
import type {
  AccountChangeKind,
  AccountState,
  BatchDecision,
  ChangeAccount,
  BatchSnapshot,
  DomainCommand,
  Metadata,
  OpenAccount,
  SettlePending,
  Transfer,
} from '../src/domain/index.ts';
import { decideBatch, emptySnapshot, snapshotKeys } from '../src/domain/index.ts';

/**
 * Builders for the domain tests: every command and state starts valid and each test overrides
 * only what it is about. Request hashes are computed here the way the command API does in
 * spirit (sha-256 of the content): the processor only compares them.
 */
export const nowMs = Date.UTC(2026, 0, 2, 3, 4, 5);

export function contentHash(content: unknown): string {
  const text = JSON.stringify(content, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return createHash('sha256').update(text).digest('hex');
}

let commandSequence = 0;
/** A fresh command id per call; deterministic within a run. */
export function nextCommandId(): string {
  commandSequence += 1;
  return `cmd-${String(commandSequence).padStart(8, '0')}`;
}

/** An event-id generator for one batch, as the shell would pass one (UUIDv7 there). */
export function eventIds(prefix = 'evt'): () => string {
  let sequence = 0;
  return () => `${prefix}-${++sequence}`;
}

export interface OpenAccountFields {
  accountId: string;
  currency?: string;
  overdraftLimit?: bigint;
  metadata?: Metadata;
  commandId?: string;
}

export function openAccount(fields: OpenAccountFields): OpenAccount {
  const content = {
    type: 'OpenAccount',
    accountId: fields.accountId,
    currency: fields.currency ?? 'USD',
    overdraftLimit: fields.overdraftLimit ?? 0n,
    metadata: fields.metadata ?? {},
  } as const;
  return {
    ...content,
    commandId: fields.commandId ?? nextCommandId(),
    idempotencyKey: fields.accountId,
    requestHash: contentHash(content),
    receivedAtMs: nowMs,
  };
}

export interface TransferFields {
  from: string;
  to: string;
  amount: bigint;
  transferId?: string;
  idempotencyKey?: string;
  currency?: string;
  metadata?: Metadata;
  commandId?: string;
  /** Hash the content as if the client had not sent a transferId (the API generated it). */
  generatedTransferId?: boolean;
  /** Makes it a reversal of that transfer. */
  reversalOf?: string;
  /** Makes it a pending transfer (a hold), expiring that many seconds after its decision. */
  pending?: { timeoutSeconds?: number };
}

let transferSequence = 0;
export function transfer(fields: TransferFields): Transfer {
  transferSequence += 1;
  const transferId = fields.transferId ?? `t-${transferSequence}`;
  const content = {
    type: 'Transfer',
    transferId,
    fromAccountId: fields.from,
    toAccountId: fields.to,
    amount: fields.amount,
    currency: fields.currency ?? 'USD',
    metadata: fields.metadata ?? {},
    ...(fields.reversalOf === undefined ? {} : { reversalOf: fields.reversalOf }),
    ...(fields.pending === undefined ? {} : { pending: fields.pending }),
  } as const;
  const hashed = fields.generatedTransferId === true ? { ...content, transferId: null } : content;
  return {
    ...content,
    commandId: fields.commandId ?? nextCommandId(),
    idempotencyKey: fields.idempotencyKey ?? transferId,
    requestHash: contentHash(hashed),
    receivedAtMs: nowMs,
  };
}

export interface SettleFields {
  transferId: string;
  from: string;
  to: string;
  action: SettlePending['action'];
  amount?: bigint;
  asOfMs?: number;
  commandId?: string;
}

/** A post, void or expiry of a pending transfer; its hash covers what the client sent. */
export function settle(fields: SettleFields): SettlePending {
  const content = {
    type: 'SettlePending',
    transferId: fields.transferId,
    fromAccountId: fields.from,
    toAccountId: fields.to,
    action: fields.action,
    ...(fields.amount === undefined ? {} : { amount: fields.amount }),
    ...(fields.asOfMs === undefined ? {} : { asOfMs: fields.asOfMs }),
  } as const;
  return {
    ...content,
    commandId: fields.commandId ?? nextCommandId(),
    idempotencyKey: fields.transferId,
    requestHash: contentHash(content),
    receivedAtMs: nowMs,
  };
}

export interface ChangeFields {
  accountId: string;
  change: AccountChangeKind;
  metadata?: Metadata;
  expectedRevision?: number;
  /** The Idempotency-Key header; absent: the command id, as the command API does. */
  idempotencyKey?: string;
  commandId?: string;
}

/** A freeze, unfreeze, close or metadata update; its hash covers the body, account and change. */
export function changeAccount(fields: ChangeFields): ChangeAccount {
  const content = {
    type: 'ChangeAccount',
    accountId: fields.accountId,
    change: fields.change,
    ...(fields.metadata === undefined ? {} : { metadata: fields.metadata }),
    ...(fields.expectedRevision === undefined ? {} : { expectedRevision: fields.expectedRevision }),
  } as const;
  const commandId = fields.commandId ?? nextCommandId();
  return {
    ...content,
    commandId,
    idempotencyKey: fields.idempotencyKey ?? commandId,
    requestHash: contentHash(content),
    receivedAtMs: nowMs,
  };
}

/** The same request sent again by a client: new command id, same key and content. */
export function resent<T extends DomainCommand>(command: T): T {
  return { ...command, commandId: nextCommandId() };
}

/** A stored account as the snapshot query returns it. */
export function account(fields: Partial<AccountState> & { accountId: string }): AccountState {
  const opening = openAccount({
    accountId: fields.accountId,
    currency: fields.currency ?? 'USD',
    overdraftLimit: fields.overdraftLimit ?? 0n,
    metadata: fields.metadata ?? {},
  });
  return {
    currency: 'USD',
    overdraftLimit: 0n,
    status: 'open',
    balance: 0n,
    held: 0n,
    version: 1,
    revision: 1,
    metadata: {},
    createdAtMs: nowMs - 1000,
    openedByCommandId: opening.commandId,
    openRequestHash: opening.requestHash,
    ...fields,
  };
}

/** Decides one batch against the given existing accounts and no earlier transfers. */
export function decideWith(
  accounts: readonly AccountState[],
  commands: readonly DomainCommand[],
): BatchDecision {
  const snapshot: BatchSnapshot = { ...emptySnapshot(snapshotKeys(commands)), accounts };
  return decideBatch({ commands, snapshot, nowMs, nextEventId: eventIds() });
}
