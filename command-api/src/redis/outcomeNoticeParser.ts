import { rejectionCodes } from '@ledger/runtime';
import type { CommandOutcome } from '../appDeps.ts';

type OutcomeCode = Extract<CommandOutcome, { status: 'rejected' }>['code'];
const outcomeCodes: readonly string[] = [...rejectionCodes, 'idempotency_conflict'];

/** A notice bigger than this is not one of ours (a 1000-item batch's array is ~200 KiB). */
export const outcomeMessageBytesMax = 4 * 1024 * 1024;

/**
 * The processor's outcome notices, as JSON text: one notice or an array of them (one message
 * per processor batch). Malformed entries are dropped, not thrown: a bad push must not take the
 * subscriber down, and a waiter that misses its outcome just answers 202.
 *
 * `isWanted` skips the shape checks of entries nobody asked for: a batch's array mostly holds
 * other instances' commands and commands answered 202 without a wait.
 */
export function parseOutcomeNotices(
  text: string,
  isWanted: (commandId: string) => boolean = () => true,
): CommandOutcome[] {
  if (text.length > outcomeMessageBytesMax) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  const notices: CommandOutcome[] = [];
  for (const entry of entries) {
    const commandId = (entry as { commandId?: unknown } | null)?.commandId;
    if (typeof commandId !== 'string' || !isWanted(commandId)) continue;
    const notice = toOutcome(entry);
    if (notice !== undefined) notices.push(notice);
  }
  return notices;
}

export function toOutcome(entry: unknown): CommandOutcome | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { commandId, status, code, versions, balances } = entry as Record<string, unknown>;
  if (typeof commandId !== 'string') return undefined;
  if (status === 'rejected') {
    if (typeof code !== 'string' || !outcomeCodes.includes(code)) return undefined;
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
  return {
    commandId,
    status,
    versions: parsedVersions,
    ...(parsedBalances === undefined || Object.keys(parsedBalances).length === 0
      ? {}
      : { balances: parsedBalances }),
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
