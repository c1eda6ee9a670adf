import { outcomeCodes, type OutcomeCode } from '@ledger/runtime';
import type { CommandOutcome } from './appDeps.ts';

const knownCodes: readonly string[] = outcomeCodes;

/**
 * A decided command's outcome from untrusted JSON-shaped data — a processor notice pushed
 * through Redis, or a command_outcomes row read back from Postgres — or undefined when it is not
 * one: both readers answer 202 rather than trust a malformed outcome.
 */
export function toOutcome(entry: unknown): CommandOutcome | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { commandId, status, code, versions, balances, revision } = entry as Record<
    string,
    unknown
  >;
  if (typeof commandId !== 'string') return undefined;
  if (status === 'rejected') {
    if (typeof code !== 'string' || !knownCodes.includes(code)) return undefined;
    return { commandId, status, code: code as OutcomeCode };
  }
  if (status !== 'applied') return undefined;
  const parsedVersions = recordOf(versions, (v) =>
    Number.isSafeInteger(v) ? (v as number) : undefined,
  );
  if (parsedVersions === undefined) return undefined;
  const parsedBalances =
    balances === undefined || balances === null
      ? undefined
      : recordOf(balances, (v) =>
          typeof v === 'string' && /^-?[0-9]{1,19}$/.test(v) ? v : undefined,
        );
  // An account change's revision after it (2 or more: 1 is the opening); absent elsewhere.
  const hasRevision = revision !== undefined && revision !== null;
  if (hasRevision && !(Number.isSafeInteger(revision) && (revision as number) >= 2))
    return undefined;
  return {
    commandId,
    status,
    versions: parsedVersions,
    ...(parsedBalances === undefined || Object.keys(parsedBalances).length === 0
      ? {}
      : { balances: parsedBalances }),
    ...(hasRevision ? { revision: revision as number } : {}),
  };
}

function recordOf<T>(
  value: unknown,
  parse: (entry: unknown) => T | undefined,
): Record<string, T> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const result: Record<string, T> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const parsed = parse(entry);
    if (parsed === undefined) return undefined;
    result[key] = parsed;
  }
  return result;
}
