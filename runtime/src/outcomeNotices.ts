import type { OutcomeCode } from './errors.ts';

/**
 * The push from the ledger processor to the command API instances holding `Prefer: wait`
 * requests: after each batch commits, the processor publishes the batch's outcomes as one JSON
 * array on one Redis channel (every command API instance subscribes and picks its own waiters),
 * and keeps each outcome under a short-lived key so a waiter that subscribes just after the
 * publish still finds it. Both are conveniences: Postgres `command_outcomes` is the record.
 */
export type OutcomeNotice =
  | {
      readonly commandId: string;
      readonly status: 'applied';
      readonly versions: Readonly<Record<string, number>>;
      /** Balances after a transfer, as decimal strings (never a JSON number). */
      readonly balances?: Readonly<Record<string, string>>;
      /** An account change's: the account's revision after it. */
      readonly revision?: number;
    }
  | {
      readonly commandId: string;
      readonly status: 'rejected';
      readonly code: OutcomeCode;
    };

/** How long an outcome stays readable by key: longer than the longest `Prefer: wait` (30 s). */
export const outcomeNoticeTtlSeconds = 120;

export function outcomeChannel(topicPrefix: string): string {
  return `${topicPrefix}:outcomes`;
}

export function outcomeKey(topicPrefix: string, commandId: string): string {
  return `${topicPrefix}:outcome:${commandId}`;
}
