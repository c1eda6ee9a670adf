import type { CommandOutcome } from '../appDeps.ts';
import { toOutcome } from '../outcomeShape.ts';

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
