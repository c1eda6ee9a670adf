import { chainGenesisHash, chainHashOf, type LedgerEvent } from '@ledger/schemas';
import {
  ok,
  violated,
  type AuditState,
  type ChainBook,
  type CheckResult,
  type EventRef,
  type HeldLink,
} from './auditTypes.ts';
import { checkInDecisionOrder } from './lifecycleChecks.ts';

/**
 * Each event's link in its hash chain (schemas/src/eventChain.ts, one chain per ledger.commands
 * partition): the links of a chain run 1, 2, 3 …, each hash being the hash of its event's content
 * after the hash of the link before. An event changed after it was linked (or any event before it
 * in its chain) fails the hash; a dropped one leaves its successor waiting. A link read ahead of
 * its predecessor (a reader may get a chain's events from more than one events partition) waits
 * for it; one still waiting when a bounded run ends is a gap. Identical republished duplicates
 * never reach here.
 *
 * Each event is handed on in its chain's order, the order it was decided in, to the checks that
 * depend on it (lifecycleChecks.ts); an event without a link, as it is read.
 *
 * A writer who rewrites a whole suffix consistently defeats a chain on its own; `anchors` (the
 * heads an earlier, signed summary recorded) catch that: the log must hold the same hash at each.
 */
export function checkChainLink(
  state: AuditState,
  ref: EventRef,
  event: LedgerEvent,
  receivedAtMs: number,
): CheckResult {
  const link = event.chain;
  if (link === undefined) {
    state.unchainedEvents += 1;
    // Before chains, a partition's order (an account's events share its key, so its partition).
    return checkInDecisionOrder(state, event, ref);
  }
  const book = chainBookOf(state, link.chain);
  if (link.sequence <= book.sequence || book.held.has(link.sequence)) {
    return violated({
      kind: 'chain_broken',
      event: ref,
      expected: `chain ${link.chain}: one event per sequence, the next after ${book.sequence}`,
      found: `a second event at sequence ${link.sequence}`,
    });
  }
  if (link.sequence > book.sequence + 1) {
    if (state.pendingLegs + state.heldLinks >= state.limits.pendingLegsMax) {
      return {
        outcome: 'limit',
        limit: 'pendingLegsMax',
        detail: `more than ${state.limits.pendingLegsMax} legs and chain links waiting`,
      };
    }
    book.held.set(link.sequence, { event, ref, receivedAtMs });
    state.heldLinks += 1;
    return ok(state);
  }
  let next: HeldLink | undefined = { event, ref, receivedAtMs };
  while (next !== undefined) {
    const followed = follow(state, book, next.event, next.ref);
    if (followed.outcome !== 'ok') return followed;
    next = book.held.get(book.sequence + 1);
    if (next !== undefined) {
      book.held.delete(book.sequence + 1);
      state.heldLinks -= 1;
    }
  }
  return ok(state);
}

/**
 * A link that waits for a predecessor that will not come: at the end of a bounded run any link
 * still waiting, when following one read before `receivedBeforeMs` (the follower passes the time
 * every partition was read to its end, less the wait: a reader behind does not invent gaps, as
 * for version gaps in accountBooks.ts). The lowest waiting link of each chain is the one named.
 */
export function findChainGap(
  state: AuditState,
  receivedBeforeMs = Number.POSITIVE_INFINITY,
): CheckResult | undefined {
  for (const [chain, book] of [...state.chains].sort(([a], [b]) => a - b)) {
    const first = [...book.held.entries()].sort(([a], [b]) => a - b)[0];
    if (first === undefined || first[1].receivedAtMs >= receivedBeforeMs) continue;
    return violated({
      kind: 'chain_gap',
      event: first[1].ref,
      expected: `chain ${chain}: sequence ${book.sequence + 1} before ${first[0]}`,
      found: `no event at ${book.sequence + 1} (events dropped)`,
    });
  }
  return undefined;
}

/** The end of a bounded run: every link must have followed, and every anchor been reached. */
export function finishChains(state: AuditState): CheckResult {
  const gap = findChainGap(state);
  if (gap !== undefined) return gap;
  for (const [chain, book] of [...state.chains].sort(([a], [b]) => a - b)) {
    const anchor = state.anchors.get(chain);
    if (anchor !== undefined && book.sequence < anchor.sequence) {
      return violated({
        kind: 'chain_anchor_mismatch',
        event: undefined,
        expected: `chain ${chain} reaching the signed head at sequence ${anchor.sequence}`,
        found: `it ends at ${book.sequence} (events removed since that audit)`,
      });
    }
  }
  for (const [chain, anchor] of state.anchors) {
    if (!state.chains.has(chain)) {
      return violated({
        kind: 'chain_anchor_mismatch',
        event: undefined,
        expected: `chain ${chain} reaching the signed head at sequence ${anchor.sequence}`,
        found: 'no event of that chain',
      });
    }
  }
  return ok(state);
}

/** The last verified link of each chain, for the summary (the anchors of a later audit). */
export function chainHeads(state: AuditState): Record<string, { sequence: number; hash: string }> {
  return Object.fromEntries(
    [...state.chains]
      .filter(([, book]) => book.sequence > 0)
      .sort(([a], [b]) => a - b)
      .map(([chain, book]) => [String(chain), { sequence: book.sequence, hash: book.hash }]),
  );
}

function follow(
  state: AuditState,
  book: ChainBook,
  event: LedgerEvent,
  ref: EventRef,
): CheckResult {
  const link = event.chain;
  if (link === undefined) return ok(state); // only linked events are held or followed
  // What the event says first (as in checkEvent), in the order its chain proves it was decided.
  const decided = checkInDecisionOrder(state, event, ref);
  if (decided.outcome !== 'ok') return decided;
  if (chainHashOf(book.hash, event) !== link.hash) {
    return violated({
      kind: 'chain_hash_mismatch',
      event: ref,
      expected: `chain ${link.chain} link ${link.sequence}: the hash of its content after link ${link.sequence - 1}`,
      found: 'another hash: this event, or one before it in the chain, is not what was linked',
    });
  }
  const anchor = state.anchors.get(link.chain);
  if (anchor !== undefined && anchor.sequence === link.sequence && anchor.hash !== link.hash) {
    return violated({
      kind: 'chain_anchor_mismatch',
      event: ref,
      expected: `chain ${link.chain} link ${link.sequence} as an earlier signed audit recorded it`,
      found: 'another hash: the log was rewritten since',
    });
  }
  book.sequence = link.sequence;
  book.hash = link.hash;
  return ok(state);
}

function chainBookOf(state: AuditState, chain: number): ChainBook {
  const found = state.chains.get(chain);
  if (found !== undefined) return found;
  const created: ChainBook = { sequence: 0, hash: chainGenesisHash, held: new Map() };
  state.chains.set(chain, created);
  return created;
}
