import { createHash } from 'node:crypto';
import type { CommandPayload } from './domainTypes.ts';
import { unknownVariant } from './fieldRules.ts';

/**
 * `requestHash` of a command: lower-case hex SHA-256 of the request in canonical form, i.e. the
 * validated payload (defaults applied) as JSON with a fixed key order, amounts as decimal strings
 * and metadata keys sorted. Two requests that mean the same get the same hash whatever their key
 * order or whitespace; the idempotency check (same key, other hash = conflict) compares these.
 */
export function requestHashOf(payload: CommandPayload): string {
  return createHash('sha256').update(canonicalRequest(payload)).digest('hex');
}

export function canonicalRequest(payload: CommandPayload): string {
  switch (payload.type) {
    case 'OpenAccount':
      return JSON.stringify([
        payload.type,
        payload.accountId,
        payload.currency,
        payload.overdraftLimit.toString(),
        sortedEntries(payload.metadata),
      ]);
    case 'Transfer':
      return JSON.stringify([
        payload.type,
        payload.transferId,
        payload.fromAccountId,
        payload.toAccountId,
        payload.amount.toString(),
        payload.currency,
        sortedEntries(payload.metadata),
        // Appended only for a reversal, so an ordinary transfer hashes as it always did.
        ...(payload.reversalOf === undefined ? [] : [payload.reversalOf]),
        // Appended only for a pending transfer, likewise: [timeoutSeconds or null].
        ...(payload.pending === undefined
          ? []
          : [['pending', payload.pending.timeoutSeconds ?? null]]),
      ]);
    case 'SettlePending':
      return JSON.stringify([
        payload.type,
        payload.transferId,
        payload.fromAccountId,
        payload.toAccountId,
        payload.action,
        payload.amount?.toString() ?? null,
        payload.asOf ?? null,
      ]);
    case 'ChangeAccount':
      // Metadata only on update_metadata (null otherwise); expectedRevision null when not sent, so
      // a change with and one without a revision check never share a hash.
      return JSON.stringify([
        payload.type,
        payload.accountId,
        payload.change,
        payload.metadata === undefined ? null : sortedEntries(payload.metadata),
        payload.expectedRevision ?? null,
      ]);
    default:
      return unknownVariant(payload, 'payload.type');
  }
}

function sortedEntries(metadata: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
