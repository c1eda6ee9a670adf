/**
 * The commands the processor decides, as plain data: the shape the command API produces after
 * validation (and that the wire schema carries), with amounts as bigint and time as epoch
 * milliseconds. `requestHash` is computed by the command API over the request's content, so the
 * processor compares hashes and never re-derives them (one canonical form, one owner).
 */
export type Metadata = Readonly<Record<string, string>>;

export interface CommandEnvelope {
  /** Time-ordered id given by the command API; one outcome is stored per command id. */
  readonly commandId: string;
  /** Transfers: the Idempotency-Key header or the transferId. Accounts: the accountId. */
  readonly idempotencyKey: string;
  /** SHA-256 hex of the canonical request content: same key, other hash = a conflict. */
  readonly requestHash: string;
  readonly receivedAtMs: number;
}

export interface OpenAccount extends CommandEnvelope {
  readonly type: 'OpenAccount';
  readonly accountId: string;
  readonly currency: string;
  /** The balance may go down to minus this; 0 for ordinary accounts. */
  readonly overdraftLimit: bigint;
  readonly metadata: Metadata;
}

export interface Transfer extends CommandEnvelope {
  readonly type: 'Transfer';
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /**
   * Set on a reversal: the transfer it takes (part of) the amount back from. Its accounts are
   * that transfer's swapped and it may not take back more than is left (transferDecider.ts).
   */
  readonly reversalOf?: string;
}

/** A command as the deciders take it; the wire's is @ledger/schemas' LedgerCommand (wireMapping.ts). */
export type DomainCommand = OpenAccount | Transfer;

/** Closes an exhaustive switch: a new union member is a compile error, and a crash if forced. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value, bigintReplacer)}`);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
