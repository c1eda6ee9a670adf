import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.ts';
import type { ChainLink, LedgerEvent } from './domainTypes.ts';

/**
 * The hash chain of `ledger.events` (tamper evidence): the ledger processor gives every event it
 * decides for a `ledger.commands` partition the next link of that partition's chain, and any
 * reader can recompute it from the event alone. Changing an event changes its hash; dropping or
 * reordering one breaks the next link; rewriting a whole suffix consistently is caught against a
 * head an earlier audit signed (auditor/README.md). One rule, here, for the processor that writes
 * links and the auditor that checks them.
 */

/** The previousHash of a chain's first event. */
export const chainGenesisHash = '0'.repeat(64);

/**
 * Lower-case hex SHA-256 over the previous link's hash, a newline, and the canonical JSON
 * (canonicalJson.ts) of the event without its `chain`: the exact bytes are language-neutral,
 * so an auditor in another language recomputes them from the decoded Avro record.
 */
export function chainHashOf(previousHash: string, event: LedgerEvent): string {
  const { chain: _link, ...content } = event;
  return createHash('sha256')
    .update(previousHash)
    .update('\n')
    .update(canonicalJson(content))
    .digest('hex');
}

/** The link that follows `previous` (undefined: the chain's first) for `event`. */
export function nextChainLink(
  chain: number,
  previous: Pick<ChainLink, 'sequence' | 'hash'> | undefined,
  event: LedgerEvent,
): ChainLink {
  const previousHash = previous?.hash ?? chainGenesisHash;
  return {
    chain,
    sequence: (previous?.sequence ?? 0) + 1,
    previousHash,
    hash: chainHashOf(previousHash, event),
  };
}
